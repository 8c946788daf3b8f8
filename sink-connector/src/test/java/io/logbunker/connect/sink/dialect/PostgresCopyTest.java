package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.HistogramCounts;
import io.logbunker.connect.sink.engine.MergeFunction;
import io.logbunker.connect.sink.engine.TableShape;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL's binary COPY of new rows, on a real server: every type the sink creates stores the value an INSERT of
 * the same rows stores, a table declared with other types is left to the INSERT, and an existing row fails the COPY
 * with the unique violation the sink falls back on.
 */
class PostgresCopyTest {
    private static final TestDatabase DB = TestDatabase.postgres();
    private static final PostgresDialect DIALECT = new PostgresDialect();
    private static final PostgresCopy COPY = (PostgresCopy) DIALECT.bulkInsert();

    private static List<Column> everyType() {
        return List.of(
                new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY),
                new Column("ts", Timestamp.builder().optional().build(), MergeFunction.MAX),
                new Column("d", Date.builder().optional().build(), MergeFunction.MAX),
                new Column("t", Time.builder().optional().build(), MergeFunction.MAX),
                new Column("i8", Schema.OPTIONAL_INT8_SCHEMA, MergeFunction.SUM),
                new Column("i16", Schema.OPTIONAL_INT16_SCHEMA, MergeFunction.SUM),
                new Column("i32", Schema.OPTIONAL_INT32_SCHEMA, MergeFunction.SUM),
                new Column("i64", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM),
                new Column("f32", Schema.OPTIONAL_FLOAT32_SCHEMA, MergeFunction.MIN),
                new Column("f64", Schema.OPTIONAL_FLOAT64_SCHEMA, MergeFunction.MAX),
                new Column("b", Schema.OPTIONAL_BOOLEAN_SCHEMA, MergeFunction.REPLACE),
                new Column("raw", Schema.OPTIONAL_BYTES_SCHEMA, MergeFunction.REPLACE),
                new Column("s", Schema.OPTIONAL_STRING_SCHEMA, MergeFunction.REPLACE),
                new Column("h", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional().build(), MergeFunction.HISTOGRAM));
    }

    private static List<Object[]> rows() {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {1L, new java.util.Date(1_796_000_000_123L), new java.util.Date(20_000L * 86_400_000L),
                new java.util.Date(86_399_999L), (byte) -7, (short) 32_000, Integer.MIN_VALUE, Long.MAX_VALUE, 1.5e-7f,
                Math.PI, true, new byte[] {0, 1, (byte) 0xff}, "a \"quoted\", tab\t, newline\n, é, 日本, \\.",
                HistogramCounts.of("h", Map.of(-3, 2L, 0, 1L, 250, 40L))});
        // before both epochs (1970 and PostgreSQL's 2000), the extremes of the floats, a ByteBuffer, an empty string
        rows.add(new Object[] {2L, new java.util.Date(-86_400_000L * 400 - 1), new java.util.Date(-86_400_000L * 3),
                new java.util.Date(0L), (byte) 0, (short) -1, 0, Long.MIN_VALUE, Float.NEGATIVE_INFINITY, Double.NaN, false,
                ByteBuffer.wrap("xyz".getBytes(StandardCharsets.UTF_8)), "", null});
        Object[] nulls = new Object[everyType().size()];
        nulls[0] = 3L;
        rows.add(nulls);
        return rows;
    }

    /** Each row of the table as PostgreSQL's own text of it, in key order, under UTC. */
    private static List<String> rowTexts(Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            st.execute("SET TIME ZONE 'UTC'");
            try (ResultSet rs = st.executeQuery("SELECT r::text FROM " + DB.q(table) + " AS r ORDER BY k")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    @Test
    void everyTypeTheSinkCreatesStoresWhatTheInsertOfTheSameRowsStores() throws Exception {
        TableShape copied = new TableShape("copy_every_type", everyType());
        TableShape inserted = new TableShape("insert_every_type", everyType());
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            for (TableShape shape : List.of(copied, inserted)) {
                DB.dropTable(shape.table());
                st.execute(DIALECT.createTable(shape));
            }
            c.setAutoCommit(false);
            assertTrue(COPY.insert(c, copied, rows()), "a table the sink created takes the COPY");
            try (PreparedStatement ps = c.prepareStatement(DIALECT.insertFromArrays(inserted))) {
                for (int i = 0; i < inserted.columns().size(); i++) {
                    DIALECT.binder().bindArray(c, ps, i + 1, inserted.columns().get(i), rows(), i);
                }
                assertEquals(3, ps.executeUpdate());
            }
            c.commit();
            c.setAutoCommit(true);
            List<String> viaCopy = rowTexts(c, copied.table());
            assertEquals(rowTexts(c, inserted.table()), viaCopy);
            // and what that is, spelled out by PostgreSQL rather than by the sink
            assertEquals("(1,\"2026-11-30 00:53:20.123+00\",2024-10-04,23:59:59.999,-7,32000,-2147483648,9223372036854775807,"
                    + "1.5e-07,3.141592653589793,t,\"\\\\x0001ff\",\"a \"\"quoted\"\", tab\t, newline\n, é, 日本, \\\\.\","
                    + "\"[[-3,2],[0,1],[250,40]]\")", viaCopy.get(0));
            assertEquals("(2,\"1968-11-26 23:59:59.999+00\",1969-12-29,00:00:00,0,-1,0,-9223372036854775808,-Infinity,NaN,f,"
                    + "\"\\\\x78797a\",\"\",)", viaCopy.get(1));
            assertEquals("(3,,,,,,,,,,,,,)", viaCopy.get(2));
        }
    }

    /** Loads one row in a transaction of its own; whether the COPY took it. */
    private static boolean load(Connection c, TableShape shape, Object... row) throws SQLException {
        c.setAutoCommit(false);
        try {
            boolean loaded = COPY.insert(c, shape, List.<Object[]>of(row));
            c.commit();
            return loaded;
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    @Test
    void aTableDeclaredWithOtherTypesIsLeftToTheInsert() throws Exception {
        TableShape shape = new TableShape("copy_other_types", List.of(new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY),
                new Column("n", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM)));
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            DB.dropTable(shape.table());
            st.execute("CREATE TABLE " + DB.q(shape.table()) + " (k BIGINT PRIMARY KEY, n NUMERIC(30))");
            // PostgreSQL would read the binary BIGINT 1 as the NUMERIC 0.0: the check is what keeps this exact
            assertFalse(load(c, shape, 1L, 1L), "NUMERIC where the sink writes BIGINT");
            st.execute("ALTER TABLE " + DB.q(shape.table()) + " ALTER COLUMN n TYPE BIGINT");
            assertTrue(load(c, shape, 2L, 1L));
            st.execute("ALTER TABLE " + DB.q(shape.table()) + " ALTER COLUMN n TYPE NUMERIC(30)");
            assertFalse(load(c, shape, 3L, 1L), "checked at every load, not once");
            st.execute("ALTER TABLE " + DB.q(shape.table()) + " DROP COLUMN n");
            assertFalse(load(c, shape, 4L, 1L), "a missing column");
            assertEquals(1L, DB.scalarLong("SELECT COUNT(*) FROM " + DB.q(shape.table())), "only the load that matched stored a row");
        }
        TableShape decimal = new TableShape("copy_decimal", List.of(new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY),
                new Column("x", Decimal.builder(2).optional().build(), MergeFunction.SUM)));
        assertNull(COPY.sql(decimal), "decimals have no binary form here: the INSERT writes them");
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            DB.dropTable(decimal.table());
            st.execute(DIALECT.createTable(decimal));
            assertFalse(load(c, decimal, 1L, null));
        }
    }

    @Test
    void theLoadHoldsTheTableAgainstAlterUntilTheTransactionEnds() throws Exception {
        TableShape shape = new TableShape("copy_locked", List.of(new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY),
                new Column("n", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM)));
        try (Connection c = DB.connect(); Connection other = DB.connect(); Statement st = other.createStatement()) {
            DB.dropTable(shape.table());
            st.execute(DIALECT.createTable(shape));
            c.setAutoCommit(false);
            assertTrue(COPY.insert(c, shape, List.<Object[]>of(new Object[] {1L, 1L})));
            st.execute("SET lock_timeout = '200ms'");
            SQLException e = assertThrows(SQLException.class,
                    () -> st.execute("ALTER TABLE " + DB.q(shape.table()) + " ALTER COLUMN n TYPE NUMERIC(30)"));
            assertEquals("55P03", e.getSQLState(), "lock_not_available: " + e.getMessage());
            c.commit();
            st.execute("ALTER TABLE " + DB.q(shape.table()) + " ALTER COLUMN n TYPE NUMERIC(30)");
            assertEquals(1L, DB.scalarLong("SELECT SUM(n) FROM " + DB.q(shape.table())));
        }
    }

    @Test
    void anExistingRowFailsTheCopyWithTheUniqueViolation() throws Exception {
        TableShape shape = new TableShape("copy_conflict", List.of(new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY),
                new Column("n", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM)));
        try (Connection c = DB.connect(); Statement st = c.createStatement()) {
            DB.dropTable(shape.table());
            st.execute(DIALECT.createTable(shape));
            assertTrue(load(c, shape, 1L, 5L));
            SQLException e = assertThrows(SQLException.class, () -> {
                c.setAutoCommit(false);
                try {
                    COPY.insert(c, shape, List.<Object[]>of(new Object[] {2L, 1L}, new Object[] {1L, 1L}));
                } finally {
                    c.rollback();
                    c.setAutoCommit(true);
                }
            });
            assertTrue(DIALECT.isUniqueViolation(e), e.getSQLState() + " " + e.getMessage());
            assertEquals(5L, DB.scalarLong("SELECT SUM(n) FROM " + DB.q(shape.table())), "the failed COPY stored nothing");
            assertTrue(load(c, shape, 2L, 1L));
            assertEquals(6L, DB.scalarLong("SELECT SUM(n) FROM " + DB.q(shape.table())), "the connection is usable after it");
        }
    }
}
