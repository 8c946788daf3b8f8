package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.SqliteDialect;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TableManager on a real SQLite file; the behaviour suite covers it on every database, with concurrent tasks. */
class TableManagerTest {
    @TempDir
    Path dir;

    private static final Column WINDOW = new Column("window_start", Schema.INT64_SCHEMA, MergeFunction.KEY);
    private static final Column REQUESTS = new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM);
    private static final Column BYTES = new Column("bytes_sent", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM);
    private final SqliteDialect dialect = new SqliteDialect();

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
    }

    @Test
    void createsAMissingTableAndAddsNewValueColumns() throws Exception {
        try (Connection c = connect()) {
            TableManager tables = new TableManager(dialect, true, true);
            tables.ensure(c, new TableShape("m", List.of(WINDOW, REQUESTS)));
            assertEquals(Set.of("window_start", "requests"), dialect.existingColumns(c, "m"));
            tables.ensure(c, new TableShape("m", List.of(WINDOW, REQUESTS, BYTES)));
            assertEquals(Set.of("window_start", "requests", "bytes_sent"), dialect.existingColumns(c, "m"));
        }
    }

    @Test
    void aTableOrColumnThatAnotherSessionCreatedMeanwhileIsUsedAsIs() throws Exception {
        try (Connection c = connect(); Connection other = connect()) {
            TableManager tables = new TableManager(dialect, true, true);
            tables.ensure(c, new TableShape("m", List.of(WINDOW, REQUESTS)));
            // another session adds the column after this manager cached the table's columns
            try (Statement st = other.createStatement()) {
                st.execute(dialect.addColumn("m", BYTES));
            }
            tables.ensure(c, new TableShape("m", List.of(WINDOW, REQUESTS, BYTES)));
            assertTrue(dialect.existingColumns(c, "m").contains("bytes_sent"));
            tables.ensureOffsetsTable(other, "offsets");
            tables.ensureOffsetsTable(c, "offsets");
            assertTrue(dialect.existingColumns(c, "offsets").contains("next_offset"));
        }
    }

    @Test
    void refusesWhatItMayNotDoWithAMessageThatSaysWhatToSet() throws Exception {
        try (Connection c = connect()) {
            SQLException noCreate = assertThrows(SQLException.class,
                    () -> new TableManager(dialect, false, true).ensure(c, new TableShape("m", List.of(WINDOW, REQUESTS))));
            assertTrue(noCreate.getMessage().contains("auto.create=true"), noCreate.getMessage());
            new TableManager(dialect, true, false).ensure(c, new TableShape("m", List.of(WINDOW, REQUESTS)));
            SQLException noEvolve = assertThrows(SQLException.class,
                    () -> new TableManager(dialect, true, false).ensure(c, new TableShape("m", List.of(WINDOW, REQUESTS, BYTES))));
            assertTrue(noEvolve.getMessage().contains("auto.evolve=true"), noEvolve.getMessage());
            Column host = new Column("host", Schema.STRING_SCHEMA, MergeFunction.KEY);
            SQLException newKey = assertThrows(SQLException.class,
                    () -> new TableManager(dialect, true, true).ensure(c, new TableShape("m", List.of(WINDOW, host, REQUESTS))));
            assertTrue(newKey.getMessage().contains("primary keys are not changed automatically"), newKey.getMessage());
        }
    }
}
