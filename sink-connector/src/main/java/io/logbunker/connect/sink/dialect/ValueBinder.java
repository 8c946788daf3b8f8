package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.HistogramCounts;
import io.logbunker.connect.sink.engine.MergeFunction;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Binds Connect values to JDBC parameters: the JDBC type of each schema, and how times, dates and bytes travel.
 * Databases differ only in the time types (and PostgreSQL in its array parameters), which the subclasses override.
 */
public class ValueBinder {


    public void bind(PreparedStatement ps, int index, Column column, Object value) throws SQLException {
        if (column.merge() == MergeFunction.HISTOGRAM) {
            bindJson(ps, index, value == null ? null : ((HistogramCounts) value).toJson());
            return;
        }
        Schema s = column.schema();
        String logical = s.name();
        if (value == null) {
            ps.setNull(index, sqlType(s));
            return;
        }
        if (Timestamp.LOGICAL_NAME.equals(logical)) {
            bindTimestamp(ps, index, (java.util.Date) value);
            return;
        }
        if (Date.LOGICAL_NAME.equals(logical)) {
            bindDate(ps, index, LocalDate.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC));
            return;
        }
        if (Time.LOGICAL_NAME.equals(logical)) {
            bindTime(ps, index, LocalTime.ofInstant(((java.util.Date) value).toInstant(), ZoneOffset.UTC));
            return;
        }
        if (Decimal.LOGICAL_NAME.equals(logical)) {
            ps.setBigDecimal(index, (BigDecimal) value);
            return;
        }
        switch (s.type()) {
            case INT8:
                ps.setByte(index, (Byte) value);
                break;
            case INT16:
                ps.setShort(index, (Short) value);
                break;
            case INT32:
                ps.setInt(index, (Integer) value);
                break;
            case INT64:
                ps.setLong(index, (Long) value);
                break;
            case FLOAT32:
                ps.setFloat(index, (Float) value);
                break;
            case FLOAT64:
                ps.setDouble(index, (Double) value);
                break;
            case BOOLEAN:
                ps.setBoolean(index, (Boolean) value);
                break;
            case STRING:
                ps.setString(index, (String) value);
                break;
            case BYTES:
                ps.setBytes(index, bytes(value));
                break;
            default:
                throw new IllegalArgumentException("cannot bind a " + s.type() + " value to column " + column.name());
        }
    }

    /** A histogram column's JSON text, or NULL. */
    protected void bindJson(PreparedStatement ps, int index, String json) throws SQLException {
        if (json == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, json);
        }
    }

    protected void bindTimestamp(PreparedStatement ps, int index, java.util.Date value) throws SQLException {
        ps.setObject(index, OffsetDateTime.ofInstant(value.toInstant(), ZoneOffset.UTC));
    }

    protected void bindDate(PreparedStatement ps, int index, LocalDate value) throws SQLException {
        ps.setObject(index, value);
    }

    protected void bindTime(PreparedStatement ps, int index, LocalTime value) throws SQLException {
        ps.setObject(index, value);
    }

    protected static LocalDateTime utc(java.util.Date value) {
        return LocalDateTime.ofInstant(value.toInstant(), ZoneOffset.UTC);
    }

    /** A BYTES value (a {@code byte[]} or a {@code ByteBuffer}, which is left as it was) as an array. */
    static byte[] bytes(Object value) {
        if (value instanceof java.nio.ByteBuffer b) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            return a;
        }
        return (byte[]) value;
    }

    protected int sqlType(Schema s) {
        String logical = s.name();
        if (Timestamp.LOGICAL_NAME.equals(logical)) {
            return Types.TIMESTAMP_WITH_TIMEZONE;
        }
        if (Date.LOGICAL_NAME.equals(logical)) {
            return Types.DATE;
        }
        if (Time.LOGICAL_NAME.equals(logical)) {
            return Types.TIME;
        }
        if (Decimal.LOGICAL_NAME.equals(logical)) {
            return Types.NUMERIC;
        }
        switch (s.type()) {
            case INT8:
                return Types.TINYINT;
            case INT16:
                return Types.SMALLINT;
            case INT32:
                return Types.INTEGER;
            case INT64:
                return Types.BIGINT;
            case FLOAT32:
                return Types.REAL;
            case FLOAT64:
                return Types.DOUBLE;
            case BOOLEAN:
                return Types.BOOLEAN;
            case BYTES:
                return Types.BINARY;
            default:
                return Types.VARCHAR;
        }
    }

    /**
     * Binds column {@code column}'s values of {@code rows} as the array parameter {@code index}, for dialects whose
     * {@link Dialect#upsertFromArrays} is not null.
     */
    public void bindArray(Connection conn, PreparedStatement ps, int index, Column column, List<Object[]> rows, int columnIndex)
            throws SQLException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no array parameters");
    }
}
