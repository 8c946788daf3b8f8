package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MergeFunction;
import io.logbunker.connect.sink.engine.TableShape;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/** PostgreSQL: {@code INSERT ... ON CONFLICT (pk) DO UPDATE}, timestamps as {@code timestamptz}. */
public final class PostgresDialect extends Dialect {
    private static final ValueBinder BINDER = new PostgresValueBinder();

    @Override
    public ValueBinder binder() {
        return BINDER;
    }
    private static final String STORED = "\"__stored\"";
    private final PostgresCopy copy = new PostgresCopy(this);

    @Override
    public BulkInsert bulkInsert() {
        return copy;
    }

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    protected char quoteChar() {
        return '"';
    }

    @Override
    protected int maxIdentifierLength() {
        return 63;
    }

    @Override
    protected int identifierLength(String identifier) {
        return utf8Length(identifier); // NAMEDATALEN counts bytes
    }

    @Override
    public String columnType(Column c) {
        if (c.merge() == MergeFunction.HISTOGRAM) {
            // JSON keeps the text: JSONB stores every number as a numeric, about three times the text's size, which
            // takes a row with histograms of a few dozen buckets past the 2 KB at which PostgreSQL compresses it on
            // every insert (BENCHMARKS.md section 11)
            return "JSON";
        }
        Schema s = c.schema();
        String logical = s.name();
        if (Timestamp.LOGICAL_NAME.equals(logical)) {
            return "TIMESTAMPTZ";
        }
        if (Date.LOGICAL_NAME.equals(logical)) {
            return "DATE";
        }
        if (Time.LOGICAL_NAME.equals(logical)) {
            return "TIME";
        }
        if (Decimal.LOGICAL_NAME.equals(logical)) {
            return "NUMERIC";
        }
        switch (s.type()) {
            case INT8:
            case INT16:
                return "SMALLINT";
            case INT32:
                return "INTEGER";
            case INT64:
                return "BIGINT";
            case FLOAT32:
                return "REAL";
            case FLOAT64:
                return "DOUBLE PRECISION";
            case BOOLEAN:
                return "BOOLEAN";
            case BYTES:
                return "BYTEA";
            default:
                return "TEXT";
        }
    }

    /**
     * Text compares bytes, as the MariaDB and MySQL tables ({@code utf8mb4_nopad_bin}, {@code utf8mb4_0900_bin}) and
     * SQLite ({@code BINARY}) do: a group is the same bytes, and the primary key's index skips the locale's collation on
     * every comparison, which is dear on an ICU or glibc language locale, the default of many databases (BENCHMARKS.md
     * section 29).
     */
    @Override
    protected String columnDefinition(Column c) {
        String type = columnType(c);
        return type.equals("TEXT") ? type + " COLLATE \"C\"" : type;
    }

    @Override
    public java.util.List<String> adviceOn(Connection conn, TableShape shape) throws SQLException {
        return PostgresCollations.advice(this, conn, shape);
    }

    @Override
    public String upsert(TableShape shape, int rows) {
        return onConflictUpsert(shape, rows, STORED, STORED, "EXCLUDED");
    }

    /**
     * {@code INSERT ... SELECT * FROM UNNEST(?::bigint[], ?::text[], ...) ON CONFLICT ...}: one statement and one
     * parameter per column for the whole batch. Times and dates travel as ISO-8601 text with an explicit offset and
     * are cast on the server, so neither the JVM's nor the session's time zone can shift them.
     */
    @Override
    public String upsertFromArrays(TableShape shape) {
        return onConflictUpsert(shape, unnest(shape), STORED, STORED, "EXCLUDED");
    }

    @Override
    public String insertFromArrays(TableShape shape) {
        return "INSERT INTO " + quote(shape.table()) + " (" + columnList(shape) + ") " + unnest(shape);
    }

    private String unnest(TableShape shape) {
        java.util.List<String> params = new java.util.ArrayList<>();
        for (Column c : shape.columns()) {
            String type = columnType(c);
            params.add(PostgresValueBinder.isTextual(c) ? "?::text[]::" + type + "[]" : "?::" + type + "[]");
        }
        return "SELECT * FROM UNNEST(" + String.join(", ", params) + ")";
    }

    @Override
    protected String histogramMerge(String stored, String incoming) {
        return eitherOrBoth(stored, incoming, "(SELECT json_agg(json_build_array(m.b, m.n) ORDER BY m.b) FROM (SELECT (e ->> 0)::int AS b, "
                + "SUM((e ->> 1)::bigint) AS n FROM (SELECT json_array_elements(" + stored + ") UNION ALL "
                + "SELECT json_array_elements(" + incoming + ")) AS u(e) GROUP BY 1) AS m)");
    }

    @Override
    public HistogramPairs histogramPairs(String column) {
        return new HistogramPairs("CROSS JOIN LATERAL json_array_elements(t." + quote(column) + ") AS e",
                "(e.value ->> 0)::int", "(e.value ->> 1)::bigint");
    }

    @Override
    public String insertOffsetIfAbsent(String table) {
        return "INSERT INTO " + quote(table) + " (connector_name, topic, kafka_partition, next_offset) VALUES (?, ?, ?, -1) "
                + "ON CONFLICT DO NOTHING";
    }

    @Override
    protected String schemaPattern(Connection conn) throws SQLException {
        return conn.getSchema();
    }

    @Override
    public void addTimeouts(Properties props, long connectTimeoutMs, long socketTimeoutMs) {
        props.putIfAbsent("connectTimeout", Long.toString(Math.max(1, connectTimeoutMs / 1000)));
        props.putIfAbsent("loginTimeout", Long.toString(Math.max(1, connectTimeoutMs / 1000)));
        props.putIfAbsent("socketTimeout", Long.toString(Math.max(1, socketTimeoutMs / 1000)));
        props.putIfAbsent("tcpKeepAlive", "true");
        props.putIfAbsent("ApplicationName", "logbunker-sink");
    }

    @Override
    protected boolean isConnectionState(String state) {
        // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
        return state.equals("57P01") || state.equals("57P02") || state.equals("57P03") || state.equals("53300");
    }

    @Override
    protected boolean isConflict(SQLException e) {
        return "55P03".equals(e.getSQLState()); // lock_not_available
    }

    @Override
    public String truncateWindowStart(String column, QuantileSql.Period period) {
        return "date_trunc('" + (period == QuantileSql.Period.HOUR ? "hour" : "day") + "', " + column + " AT TIME ZONE 'UTC')";
    }
}
