package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MergeFunction;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The binders: on SQLite, times as sortable ISO-8601 text in UTC, byte buffers as blobs, typed NULLs; on PostgreSQL,
 * every column type through the array parameters of the UNNEST upsert.
 */
class ValueBinderTest {
    private static Column col(String name, Schema schema) {
        return new Column(name, schema, MergeFunction.REPLACE);
    }

    @Test
    void timesDatesBytesAndNullsRoundTripOnSqlite(@TempDir Path dir) throws Exception {
        ValueBinder b = new SqliteDialect().binder();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("b.db"))) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (ts TEXT, d TEXT, tm TEXT, bin BLOB, n BIGINT, f DOUBLE)");
            }
            long ms = 1_795_860_123_456L;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)")) {
                b.bind(ps, 1, col("ts", Timestamp.SCHEMA), new java.util.Date(ms));
                b.bind(ps, 2, col("d", Date.SCHEMA), new java.util.Date(ms - ms % 86_400_000L));
                b.bind(ps, 3, col("tm", Time.SCHEMA), new java.util.Date(ms % 86_400_000L));
                b.bind(ps, 4, col("bin", Schema.BYTES_SCHEMA), ByteBuffer.wrap(new byte[] {1, 2, 3}));
                b.bind(ps, 5, col("n", Schema.OPTIONAL_INT64_SCHEMA), null);
                b.bind(ps, 6, col("f", Schema.FLOAT64_SCHEMA), 0.25);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT ts, d, tm, bin, n, f FROM t")) {
                rs.next();
                java.time.Instant t = java.time.Instant.ofEpochMilli(ms);
                assertEquals(t.toString(), rs.getString(1), "UTC, milliseconds, Z: sorts as text");
                assertEquals(t.toString().substring(0, 10), rs.getString(2));
                assertEquals(t.toString().substring(11, 23), rs.getString(3));
                assertArrayEquals(new byte[] {1, 2, 3}, rs.getBytes(4));
                assertNull(rs.getObject(5));
                assertEquals(0.25, rs.getDouble(6));
            }
        }
    }

    @Test
    void everyTypeWithNullsRoundTripsThroughPostgresArrays() throws Exception {
        ValueBinder b = new PostgresDialect().binder();
        long ms = 1_795_860_123_456L;
        java.util.Date ts = new java.util.Date(ms);
        java.math.BigDecimal dec = new java.math.BigDecimal("12345.678");
        Object[][] columns = {
                {"ts", Timestamp.SCHEMA, "timestamptz", ts, ts},
                {"d", Date.SCHEMA, "date", new java.util.Date(ms - ms % 86_400_000L), null},
                {"tm", Time.SCHEMA, "time", new java.util.Date(ms % 86_400_000L), null},
                {"i8", Schema.INT8_SCHEMA, "smallint", (byte) -7, null},
                {"i16", Schema.INT16_SCHEMA, "smallint", (short) 300, null},
                {"i32", Schema.INT32_SCHEMA, "integer", 70_000, null},
                {"i64", Schema.INT64_SCHEMA, "bigint", 5_000_000_000L, null},
                {"f32", Schema.FLOAT32_SCHEMA, "real", 0.5f, null},
                {"f64", Schema.FLOAT64_SCHEMA, "double precision", 0.25, null},
                {"bool", Schema.BOOLEAN_SCHEMA, "boolean", true, null},
                {"s", Schema.STRING_SCHEMA, "text", "a \"quoted\", {braced} \\ ü", null},
                {"bin", Schema.BYTES_SCHEMA, "bytea", ByteBuffer.wrap(new byte[] {0, 1, -1}), null},
                {"dec", Decimal.schema(3), "numeric", dec, null},
        };
        java.util.List<Object[]> rows = new java.util.ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Object[] row = new Object[columns.length];
            for (int i = 0; i < columns.length; i++) {
                row[i] = columns[i][3 + r];
            }
            rows.add(row);
        }
        StringBuilder unnest = new StringBuilder();
        for (int i = 0; i < columns.length; i++) {
            Column c = col((String) columns[i][0], (Schema) columns[i][1]);
            String type = (String) columns[i][2];
            unnest.append(i == 0 ? "" : ", ").append(PostgresValueBinder.isTextual(c) ? "?::text[]::" + type + "[]" : "?::" + type + "[]");
        }
        try (Connection c = TestDatabase.postgres().connect();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM UNNEST(" + unnest + ") AS u(ts, d, tm, i8, i16, i32, i64, f32, "
                     + "f64, bool, s, bin, dec) ORDER BY i64 NULLS LAST")) {
            for (int i = 0; i < columns.length; i++) {
                b.bindArray(c, ps, i + 1, col((String) columns[i][0], (Schema) columns[i][1]), rows, i);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.time.Instant t = java.time.Instant.ofEpochMilli(ms);
                assertEquals(t, rs.getObject(1, java.time.OffsetDateTime.class).toInstant());
                assertEquals(t.toString().substring(0, 10), rs.getString(2));
                assertEquals(t.toString().substring(11, 23), rs.getObject(3, java.time.LocalTime.class).toString());
                assertEquals(-7, rs.getShort(4));
                assertEquals(300, rs.getShort(5));
                assertEquals(70_000, rs.getInt(6));
                assertEquals(5_000_000_000L, rs.getLong(7));
                assertEquals(0.5f, rs.getFloat(8));
                assertEquals(0.25, rs.getDouble(9));
                assertEquals(true, rs.getBoolean(10));
                assertEquals(columns[10][3], rs.getString(11));
                assertArrayEquals(new byte[] {0, 1, -1}, rs.getBytes(12));
                assertEquals(dec, rs.getBigDecimal(13));
                rs.next();
                assertEquals(t, rs.getObject(1, java.time.OffsetDateTime.class).toInstant(), "a repeated time");
                for (int i = 2; i <= columns.length; i++) {
                    assertNull(rs.getObject(i), columns[i - 1][0] + " NULL");
                }
            }
        }
    }
}
