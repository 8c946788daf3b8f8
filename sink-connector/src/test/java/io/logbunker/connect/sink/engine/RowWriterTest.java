package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.SqliteDialect;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RowWriter and JdbcSession on a real SQLite file: statements split by parameter count, additive merges, deletes. */
class RowWriterTest {
    @TempDir
    Path dir;

    private static final Column KEY = new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY);
    private static final Column SUM = new Column("n", Schema.INT64_SCHEMA, MergeFunction.SUM);
    private static final TableShape SHAPE = new TableShape("m", List.of(KEY, SUM));

    @Test
    void upsertsInStatementsOfAtMostBatchMaxRowsAndMergesAdditively() throws Exception {
        SqliteDialect dialect = new SqliteDialect();
        Path db = dir.resolve("r.db");
        try (JdbcSession session = new JdbcSession(dialect, () -> DriverManager.getConnection("jdbc:sqlite:" + db),
                c -> new TableManager(dialect, true, true).ensure(c, SHAPE))) {
            Connection c = session.connection();
            RowWriter writer = new RowWriter(dialect, session, 7); // 7 rows per statement: 1,000 rows take 143
            for (int round = 0; round < 2; round++) {
                BatchMerger merger = new BatchMerger();
                for (int i = 0; i < 1000; i++) {
                    merger.add(new MappedRow(SHAPE, new Object[] {(long) i, 1L}, false, "t", 0, i));
                }
                c.setAutoCommit(false);
                for (List<BatchMerger.Pending> pending : merger.sortedByTable().values()) {
                    assertEquals(1000, writer.upsertRows(pending));
                }
                c.commit();
                c.setAutoCommit(true);
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(n) FROM m")) {
                rs.next();
                assertEquals(1000, rs.getLong(1));
                assertEquals(2000, rs.getLong(2), "the second round added to the first");
            }
        }
    }
}
