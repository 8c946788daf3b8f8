package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MergeFunction;
import org.apache.kafka.connect.data.Date;
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

/** The binder on SQLite: times as sortable ISO-8601 text in UTC, byte buffers as blobs, typed NULLs. */
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
}
