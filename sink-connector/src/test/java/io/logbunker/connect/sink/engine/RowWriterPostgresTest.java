package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.PostgresDialect;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RowWriter on real PostgreSQL, where new rows go in as a plain array INSERT under a savepoint and a batch with an
 * existing row falls back to the upsert: the totals are exact whichever path a batch took.
 */
class RowWriterPostgresTest {
    private static final TestDatabase DB = TestDatabase.postgres();
    private static final Column KEY = new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY);
    private static final Column SUM = new Column("n", Schema.INT64_SCHEMA, MergeFunction.SUM);
    private static final Column MAX = new Column("m", Schema.INT64_SCHEMA, MergeFunction.MAX);
    private static final TableShape SHAPE = new TableShape("row_writer_pg", List.of(KEY, SUM, MAX));

    @BeforeEach
    void dropTable() throws SQLException {
        DB.dropTable(SHAPE.table());
    }

    private static int write(RowWriter writer, Connection c, long fromKey, long toKey, long n) throws SQLException {
        BatchMerger merger = new BatchMerger();
        for (long k = fromKey; k < toKey; k++) {
            merger.add(new MappedRow(SHAPE, new Object[] {k, n, k * n}, false, "t", 0, k));
        }
        c.setAutoCommit(false);
        int rows = 0;
        try {
            for (List<BatchMerger.Pending> pending : merger.sortedByTable().values()) {
                rows += writer.upsertRows(pending);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        return rows;
    }

    @Test
    void newRowsExistingRowsAndMixedBatchesAllMergeExactly() throws Exception {
        PostgresDialect dialect = new PostgresDialect();
        try (JdbcSession session = new JdbcSession(dialect, DB::connect, c -> new TableManager(dialect, true, true).ensure(c, SHAPE))) {
            Connection c = session.connection();
            RowWriter writer = new RowWriter(dialect, session, 1000);
            assertEquals(1000, write(writer, c, 0, 1000, 1), "all new: the plain insert");
            assertEquals(1000, write(writer, c, 500, 1500, 2), "half existing: the insert fails, the upsert merges all");
            // the next statements of this table skip the attempt, then try it again: every batch exact either way
            for (int round = 0; round < 6; round++) {
                long from = 1500 + round * 100L;
                assertEquals(200, write(writer, c, from - 100, from + 100, 1));
            }
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(n), MAX(m), SUM(CASE WHEN k BETWEEN 500 AND 999 THEN n END) FROM "
                         + DB.q(SHAPE.table()))) {
                rs.next();
                assertEquals(2100, rs.getLong(1));
                // 1000 x 1 + 1000 x 2 + 6 rounds of 200 x 1
                assertEquals(1000 + 2000 + 1200, rs.getLong(2));
                assertEquals(1499 * 2, rs.getLong(3), "the largest k * n, from the mixed batch");
                assertEquals(500 * 3, rs.getLong(4), "rows in both of the first two batches have both counts, once each");
            }
        }
    }

    @Test
    void anErrorOtherThanAnExistingRowFailsTheWriteInsteadOfFallingBack() throws Exception {
        PostgresDialect dialect = new PostgresDialect();
        try (JdbcSession session = new JdbcSession(dialect, DB::connect, c -> new TableManager(dialect, true, true).ensure(c, SHAPE))) {
            Connection c = session.connection();
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + DB.q(SHAPE.table()) + " ADD CONSTRAINT small_n CHECK (n < 5)");
            }
            RowWriter writer = new RowWriter(dialect, session, 1000);
            SQLException e = assertThrows(SQLException.class, () -> write(writer, c, 0, 10, 7));
            assertTrue(e.getMessage().contains("small_n"), e.getMessage());
            assertEquals(0L, DB.scalarLong("SELECT COUNT(*) FROM " + DB.q(SHAPE.table())));
        }
    }

    @Test
    void aColumnTypeAlteredWhileRunningSendsTheNextRowsThroughTheInsertExactly() throws Exception {
        PostgresDialect dialect = new PostgresDialect();
        try (JdbcSession session = new JdbcSession(dialect, DB::connect, c -> new TableManager(dialect, true, true).ensure(c, SHAPE))) {
            Connection c = session.connection();
            RowWriter writer = new RowWriter(dialect, session, 1000);
            assertEquals(10, write(writer, c, 0, 10, 1), "the sink's own table: the binary COPY");
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + DB.q(SHAPE.table()) + " ALTER COLUMN n TYPE NUMERIC(30)");
            }
            // PostgreSQL would read the COPY's binary BIGINT 1 as the NUMERIC 0.0: these rows must take the INSERT
            assertEquals(10, write(writer, c, 10, 20, 1));
            assertEquals(20L, DB.scalarLong("SELECT SUM(n) FROM " + DB.q(SHAPE.table())));
            assertEquals(20L, DB.scalarLong("SELECT COUNT(*) FROM " + DB.q(SHAPE.table())));
        }
    }
}
