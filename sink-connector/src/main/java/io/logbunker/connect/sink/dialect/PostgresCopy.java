package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.HistogramCounts;
import io.logbunker.connect.sink.engine.MergeFunction;
import io.logbunker.connect.sink.engine.TableShape;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * New rows into PostgreSQL with {@code COPY ... FROM STDIN (FORMAT BINARY)}: each value goes in the server's own
 * binary form, which it stores without parsing, and the rows skip the executor that an {@code INSERT ... SELECT FROM
 * UNNEST} runs them through (BENCHMARKS.md section 15). Only for columns whose type in the table is the one the sink
 * creates, checked at every load under the table's lock: a binary form read as another type is not always refused (a
 * small BIGINT read as a NUMERIC is a different number), where an INSERT would cast.
 */
final class PostgresCopy implements BulkInsert {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix milliseconds and days. */
    private static final long PG_EPOCH_MS = 946_684_800_000L;
    private static final long PG_EPOCH_DAYS = 10_957;
    private static final int CHUNK = 1 << 16;

    private final PostgresDialect dialect;

    PostgresCopy(PostgresDialect dialect) {
        this.dialect = dialect;
    }

    /** The statement, or null when a column has no binary form here (decimals). */
    String sql(TableShape shape) {
        for (Column c : shape.columns()) {
            if (field(c) == null) {
                return null;
            }
        }
        return "COPY " + dialect.quote(shape.table()) + " (" + dialect.columnList(shape) + ") FROM STDIN (FORMAT BINARY)";
    }

    /** Locks the table in the mode an INSERT takes: no ALTER can change a column's type until the transaction ends. */
    String lock(TableShape shape) {
        return "LOCK TABLE " + dialect.quote(shape.table()) + " IN ROW EXCLUSIVE MODE";
    }

    /** The table's columns and their types, by the name the COPY resolves (the search path). */
    static final String COLUMN_TYPES = "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            + "WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped";

    @Override
    public boolean insert(Connection conn, TableShape shape, List<Object[]> rows) throws SQLException {
        String sql = sql(shape);
        if (sql == null) {
            return false;
        }
        try (Statement st = conn.createStatement()) {
            st.execute(lock(shape));
        }
        if (!typesMatch(conn, shape)) {
            return false;
        }
        Out data = encode(shape.columns(), rows);
        CopyIn copy = conn.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            for (int from = 0; from < data.size; from += CHUNK) {
                copy.writeToCopy(data.buf, from, Math.min(CHUNK, data.size - from));
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        return true;
    }

    private boolean typesMatch(Connection conn, TableShape shape) throws SQLException {
        Map<String, String> types = new HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(COLUMN_TYPES)) {
            ps.setString(1, dialect.quote(shape.table()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        for (Column c : shape.columns()) {
            if (!field(c).typeName.equals(types.get(c.name()))) {
                return false;
            }
        }
        return true;
    }

    /** How a column's values are written: PostgreSQL's name of the column type, which fixes the binary form. */
    enum Field {
        TIMESTAMP("timestamptz"), DATE("date"), TIME("time"), BYTE("int2"), SHORT("int2"), INT("int4"), LONG("int8"),
        FLOAT("float4"), DOUBLE("float8"), BOOLEAN("bool"), BYTES("bytea"), TEXT("text"), JSON("json");

        /** As the catalog and the driver name it. */
        final String typeName;

        Field(String typeName) {
            this.typeName = typeName;
        }
    }

    /** The field of a column of the types the sink creates; null for those without a binary form here (decimals). */
    static Field field(Column c) {
        if (c.merge() == MergeFunction.HISTOGRAM) {
            return Field.JSON;
        }
        String logical = c.schema().name();
        if (Timestamp.LOGICAL_NAME.equals(logical)) {
            return Field.TIMESTAMP;
        }
        if (Date.LOGICAL_NAME.equals(logical)) {
            return Field.DATE;
        }
        if (Time.LOGICAL_NAME.equals(logical)) {
            return Field.TIME;
        }
        if (Decimal.LOGICAL_NAME.equals(logical)) {
            return null;
        }
        return switch (c.schema().type()) {
            case INT8 -> Field.BYTE;
            case INT16 -> Field.SHORT;
            case INT32 -> Field.INT;
            case INT64 -> Field.LONG;
            case FLOAT32 -> Field.FLOAT;
            case FLOAT64 -> Field.DOUBLE;
            case BOOLEAN -> Field.BOOLEAN;
            case BYTES -> Field.BYTES;
            case STRING -> Field.TEXT;
            default -> null;
        };
    }

    /**
     * The COPY BINARY stream: the header, one tuple per row (a field count, then each field's length and bytes), the
     * trailer. Every column must have a {@link #field}.
     */
    static Out encode(List<Column> columns, List<Object[]> rows) {
        Field[] fields = new Field[columns.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = field(columns.get(i));
        }
        Out out = new Out(64 + rows.size() * fields.length * 12);
        out.bytes(SIGNATURE);
        out.int32(0); // flags
        out.int32(0); // header extension length
        for (Object[] row : rows) {
            out.int16(fields.length);
            for (int i = 0; i < fields.length; i++) {
                value(out, fields[i], row[i]);
            }
        }
        out.int16(-1);
        return out;
    }

    private static void value(Out out, Field f, Object v) {
        if (v == null) {
            out.int32(-1);
            return;
        }
        switch (f) {
            case TIMESTAMP -> {
                out.int32(8);
                out.int64(Math.multiplyExact(((java.util.Date) v).getTime() - PG_EPOCH_MS, 1000L));
            }
            case DATE -> {
                out.int32(4);
                out.int32(Math.toIntExact(Math.floorDiv(((java.util.Date) v).getTime(), 86_400_000L) - PG_EPOCH_DAYS));
            }
            case TIME -> {
                out.int32(8);
                out.int64(Math.floorMod(((java.util.Date) v).getTime(), 86_400_000L) * 1000L);
            }
            case BYTE -> {
                out.int32(2);
                out.int16((Byte) v);
            }
            case SHORT -> {
                out.int32(2);
                out.int16((Short) v);
            }
            case INT -> {
                out.int32(4);
                out.int32((Integer) v);
            }
            case LONG -> {
                out.int32(8);
                out.int64((Long) v);
            }
            case FLOAT -> {
                out.int32(4);
                out.int32(Float.floatToRawIntBits((Float) v));
            }
            case DOUBLE -> {
                out.int32(8);
                out.int64(Double.doubleToRawLongBits((Double) v));
            }
            case BOOLEAN -> {
                out.int32(1);
                out.int8((Boolean) v ? 1 : 0);
            }
            case BYTES -> {
                byte[] b = ValueBinder.bytes(v);
                out.int32(b.length);
                out.bytes(b);
            }
            case TEXT -> out.text((String) v);
            case JSON -> out.text(((HistogramCounts) v).toJson());
        }
    }

    /** A growing big-endian byte buffer. */
    static final class Out {
        private byte[] buf;
        private int size;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        int size() {
            return size;
        }

        private void ensure(int n) {
            if (size + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        void int8(int v) {
            ensure(1);
            buf[size++] = (byte) v;
        }

        void int16(int v) {
            ensure(2);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
        }

        void int32(int v) {
            ensure(4);
            buf[size++] = (byte) (v >>> 24);
            buf[size++] = (byte) (v >>> 16);
            buf[size++] = (byte) (v >>> 8);
            buf[size++] = (byte) v;
        }

        void int64(long v) {
            int32((int) (v >>> 32));
            int32((int) v);
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        /** A length-prefixed UTF-8 text; ASCII (keys, mostly) is written as it is read, without a byte array per value. */
        void text(String s) {
            int n = s.length();
            ensure(4 + n);
            int at = size + 4;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    int32(b.length);
                    bytes(b);
                    return;
                }
                buf[at + i] = (byte) c;
            }
            int32(n);
            size += n;
        }
    }
}
