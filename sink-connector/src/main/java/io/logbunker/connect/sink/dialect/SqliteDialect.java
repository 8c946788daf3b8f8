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
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.Set;

/**
 * SQLite 3.24+: {@code INSERT ... ON CONFLICT (pk) DO UPDATE} (never {@code INSERT OR REPLACE}, which would
 * delete and re-insert the row). Timestamps are ISO-8601 UTC text with milliseconds, which sorts like time.
 * Transactions start IMMEDIATE, so the offset row read inside one cannot change until it commits.
 */
public final class SqliteDialect extends Dialect {
    private static final ValueBinder BINDER = new SqliteValueBinder();

    @Override
    public ValueBinder binder() {
        return BINDER;
    }

    @Override
    public String name() {
        return "SQLite";
    }

    @Override
    protected char quoteChar() {
        return '"';
    }

    @Override
    protected int maxIdentifierLength() {
        return 1024;
    }

    @Override
    public String columnType(Column c) {
        if (c.merge() == MergeFunction.HISTOGRAM) {
            return "TEXT";
        }
        Schema s = c.schema();
        String logical = s.name();
        if (Timestamp.LOGICAL_NAME.equals(logical) || Date.LOGICAL_NAME.equals(logical) || Time.LOGICAL_NAME.equals(logical)) {
            return "TEXT";
        }
        if (Decimal.LOGICAL_NAME.equals(logical)) {
            return "NUMERIC";
        }
        switch (s.type()) {
            case INT8:
            case INT16:
            case INT32:
            case INT64:
            case BOOLEAN:
                return "INTEGER";
            case FLOAT32:
            case FLOAT64:
                return "REAL";
            case BYTES:
                return "BLOB";
            default:
                return "TEXT";
        }
    }

    @Override
    public String upsert(TableShape shape, int rows) {
        return onConflictUpsert(shape, rows, null, quote(shape.table()), "excluded");
    }

    @Override
    protected String least() {
        return "min";
    }

    @Override
    protected String greatest() {
        return "max";
    }

    @Override
    protected String histogramMerge(String stored, String incoming) {
        return eitherOrBoth(stored, incoming, "(SELECT json_group_array(json_array(b, n)) FROM (SELECT json_extract(value, '$[0]') AS b, "
                + "SUM(json_extract(value, '$[1]')) AS n FROM (SELECT value FROM json_each(" + stored + ") UNION ALL "
                + "SELECT value FROM json_each(" + incoming + ")) GROUP BY b ORDER BY b))");
    }

    @Override
    public HistogramPairs histogramPairs(String column) {
        return new HistogramPairs("CROSS JOIN json_each(t." + quote(column) + ") AS e", "json_extract(e.value, '$[0]')",
                "json_extract(e.value, '$[1]')");
    }

    @Override
    public String insertOffsetIfAbsent(String table) {
        return "INSERT OR IGNORE INTO " + quote(table) + " (connector_name, topic, kafka_partition, next_offset) VALUES (?, ?, ?, -1)";
    }

    @Override
    public String lockOffset(String table) {
        return readOffset(table); // the IMMEDIATE transaction already holds the database's write lock
    }

    @Override
    public Set<String> existingColumns(Connection conn, String table) throws SQLException {
        Set<String> cols = new LinkedHashSet<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT name FROM pragma_table_info(?)")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cols.add(rs.getString(1));
                }
            }
        }
        return cols;
    }




    @Override
    public void initialize(Connection conn) throws SQLException {
        DatabaseMetaData md = conn.getMetaData();
        int major = md.getDatabaseMajorVersion();
        int minor = md.getDatabaseMinorVersion();
        if (major < 3 || (major == 3 && minor < 24)) {
            throw new SQLException("SQLite " + major + "." + minor + " has no upsert; 3.24 or newer is required");
        }
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL"); // readers (dashboards) do not block the writer
        }
    }

    @Override
    public void addTimeouts(Properties props, long connectTimeoutMs, long socketTimeoutMs) {
        props.putIfAbsent("busy_timeout", Long.toString(connectTimeoutMs));
        props.putIfAbsent("transaction_mode", "IMMEDIATE");
    }

    @Override
    protected boolean isAccessDenied(SQLException e) {
        int code = e.getErrorCode() & 0xff;
        return code == 3 || code == 8 || code == 23; // SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH
    }

    @Override
    protected boolean isConflict(SQLException e) {
        int code = e.getErrorCode() & 0xff;
        return code == 5 || code == 6; // SQLITE_BUSY, SQLITE_LOCKED
    }

    @Override
    protected boolean isMissing(SQLException e, boolean table) {
        String m = String.valueOf(e.getMessage());
        return table ? m.contains("no such table") : m.contains("no such column") || m.contains("has no column named");
    }

    @Override
    public String truncateWindowStart(String column, QuantileSql.Period period) {
        return "substr(" + column + ", 1, " + (period == QuantileSql.Period.HOUR ? 13 : 10) + ")";
    }
}
