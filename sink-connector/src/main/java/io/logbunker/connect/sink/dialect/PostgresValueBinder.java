package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.sql.SQLException;

/** PostgreSQL's array parameters, for the UNNEST upsert: times and dates as ISO-8601 text, cast on the server. */
final class PostgresValueBinder extends ValueBinder {

    @Override
    public void bindArray(java.sql.Connection conn, java.sql.PreparedStatement ps, int index, Column column,
                          java.util.List<Object[]> rows, int columnIndex) throws SQLException {
        Object[] values = new Object[rows.size()];
        String logical = column.schema().name();
        for (int r = 0; r < values.length; r++) {
            Object v = rows.get(r)[columnIndex];
            if (v == null) {
                values[r] = null;
            } else if (Timestamp.LOGICAL_NAME.equals(logical)) {
                values[r] = ((java.util.Date) v).toInstant().toString();
            } else if (Date.LOGICAL_NAME.equals(logical)) {
                values[r] = java.time.LocalDate.ofInstant(((java.util.Date) v).toInstant(), java.time.ZoneOffset.UTC).toString();
            } else if (Time.LOGICAL_NAME.equals(logical)) {
                values[r] = java.time.LocalTime.ofInstant(((java.util.Date) v).toInstant(), java.time.ZoneOffset.UTC).toString();
            } else if (v instanceof java.nio.ByteBuffer b) {
                byte[] a = new byte[b.remaining()];
                b.duplicate().get(a);
                values[r] = a;
            } else {
                values[r] = v;
            }
        }
        ps.setArray(index, conn.createArrayOf(isTextual(column) ? "text" : arrayElementType(column), values));
    }

    private static String arrayElementType(Column c) {
        if (Decimal.LOGICAL_NAME.equals(c.schema().name())) {
            return "numeric";
        }
        switch (c.schema().type()) {
            case INT8:
            case INT16:
                return "int2";
            case INT32:
                return "int4";
            case INT64:
                return "int8";
            case FLOAT32:
                return "float4";
            case FLOAT64:
                return "float8";
            case BOOLEAN:
                return "bool";
            case BYTES:
                return "bytea";
            default:
                return "text";
        }
    }

    static boolean isTextual(Column c) {
        String logical = c.schema().name();
        return Timestamp.LOGICAL_NAME.equals(logical) || Date.LOGICAL_NAME.equals(logical) || Time.LOGICAL_NAME.equals(logical);
    }
}
