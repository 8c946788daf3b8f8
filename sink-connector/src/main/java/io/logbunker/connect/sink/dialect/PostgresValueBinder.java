package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.HistogramCounts;
import io.logbunker.connect.sink.engine.MergeFunction;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * PostgreSQL's array parameters, for the UNNEST upsert. Each column travels as an array of its own Java type
 * ({@code Long[]}, {@code String[]}, ...), which the driver sends in PostgreSQL's binary array format: no text to
 * write in the worker or to parse in the server. Times and dates are ISO-8601 text cast on the server (so neither
 * the JVM's nor the session's time zone can shift them); decimals are text; histograms are their JSON text.
 */
final class PostgresValueBinder extends ValueBinder {

    @Override
    public void bindArray(Connection conn, PreparedStatement ps, int index, Column column, List<Object[]> rows, int columnIndex)
            throws SQLException {
        String logical = column.schema().name();
        Object[] array;
        if (column.merge() == MergeFunction.HISTOGRAM) {
            String[] a = new String[rows.size()];
            for (int r = 0; r < a.length; r++) {
                Object v = rows.get(r)[columnIndex];
                a[r] = v == null ? null : ((HistogramCounts) v).toJson();
            }
            array = a;
        } else if (Timestamp.LOGICAL_NAME.equals(logical) || Date.LOGICAL_NAME.equals(logical) || Time.LOGICAL_NAME.equals(logical)) {
            array = isoTexts(logical, rows, columnIndex);
        } else if (Decimal.LOGICAL_NAME.equals(logical)) {
            array = column(new Object[rows.size()], rows, columnIndex);
        } else {
            array = switch (column.schema().type()) {
                case INT8 -> {
                    Short[] a = new Short[rows.size()];
                    for (int r = 0; r < a.length; r++) {
                        Object v = rows.get(r)[columnIndex];
                        a[r] = v == null ? null : (short) ((Byte) v);
                    }
                    yield a;
                }
                case INT16 -> column(new Short[rows.size()], rows, columnIndex);
                case INT32 -> column(new Integer[rows.size()], rows, columnIndex);
                case INT64 -> column(new Long[rows.size()], rows, columnIndex);
                case FLOAT32 -> column(new Float[rows.size()], rows, columnIndex);
                case FLOAT64 -> column(new Double[rows.size()], rows, columnIndex);
                case BOOLEAN -> column(new Boolean[rows.size()], rows, columnIndex);
                case BYTES -> {
                    byte[][] a = new byte[rows.size()][];
                    for (int r = 0; r < a.length; r++) {
                        Object v = rows.get(r)[columnIndex];
                        a[r] = v == null ? null : bytes(v);
                    }
                    yield a;
                }
                default -> column(new String[rows.size()], rows, columnIndex);
            };
        }
        ps.setArray(index, conn.createArrayOf(isTextual(column) ? "text" : arrayElementType(column), array));
    }

    /** JSON text as an untyped parameter, which the server casts to the column's JSON. */
    @Override
    protected void bindJson(PreparedStatement ps, int index, String json) throws SQLException {
        if (json == null) {
            ps.setNull(index, Types.OTHER);
        } else {
            ps.setObject(index, json, Types.OTHER);
        }
    }

    /** The column's values, each of the array's element type (a value of another type fails here, not in the server). */
    private static <T> T[] column(T[] into, List<Object[]> rows, int columnIndex) {
        Class<?> type = into.getClass().getComponentType();
        for (int r = 0; r < into.length; r++) {
            @SuppressWarnings("unchecked")
            T v = (T) type.cast(rows.get(r)[columnIndex]);
            into[r] = v;
        }
        return into;
    }

    /** Times as ISO-8601 text; a batch's rows share few windows, so a value equal to the previous one reuses its text. */
    private static String[] isoTexts(String logical, List<Object[]> rows, int columnIndex) {
        String[] a = new String[rows.size()];
        long previous = 0;
        String previousText = null;
        for (int r = 0; r < a.length; r++) {
            java.util.Date v = (java.util.Date) rows.get(r)[columnIndex];
            if (v == null) {
                continue;
            }
            long ms = v.getTime();
            if (previousText == null || ms != previous) {
                previous = ms;
                previousText = isoText(logical, ms);
            }
            a[r] = previousText;
        }
        return a;
    }

    private static String isoText(String logical, long ms) {
        java.time.Instant t = java.time.Instant.ofEpochMilli(ms);
        if (Timestamp.LOGICAL_NAME.equals(logical)) {
            return t.toString();
        }
        return Date.LOGICAL_NAME.equals(logical) ? LocalDate.ofInstant(t, ZoneOffset.UTC).toString()
                : LocalTime.ofInstant(t, ZoneOffset.UTC).toString();
    }

    /** The element type of a column's array; only for columns that do not travel as text (see {@link #isTextual}). */
    private static String arrayElementType(Column c) {
        if (Decimal.LOGICAL_NAME.equals(c.schema().name())) {
            return "numeric";
        }
        PostgresCopy.Field f = PostgresCopy.field(c);
        return f == null ? "text" : f.typeName;
    }

    /** Whether the column's array travels as text[] (cast on the server): times, dates and histograms' JSON. */
    static boolean isTextual(Column c) {
        if (c.merge() == MergeFunction.HISTOGRAM) {
            return true;
        }
        String logical = c.schema().name();
        return Timestamp.LOGICAL_NAME.equals(logical) || Date.LOGICAL_NAME.equals(logical) || Time.LOGICAL_NAME.equals(logical);
    }
}
