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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * MariaDB and MySQL: {@code INSERT ... ON DUPLICATE KEY UPDATE} with {@code VALUES(col)} (understood by both),
 * timestamps as {@code DATETIME(3)} in UTC (the session time zone is set to UTC). String key columns are
 * {@code VARCHAR(191)}, or shorter where more than four share the primary key, so that it fits InnoDB's 3072-byte
 * index limit in utf8mb4.
 */
public final class MySqlDialect extends Dialect {
    /**
     * Merges two histograms. A function because MariaDB and MySQL cannot read the updated row from a derived table in
     * ON DUPLICATE KEY UPDATE, and only JSON_TABLE (MariaDB 10.6, MySQL 8.0.4) turns the pairs into rows. Its name
     * carries a version: a later release that changes the body creates a new function instead of using an old one.
     */
    public static final String HISTOGRAM_MERGE_FUNCTION = "logbunker_histogram_merge_v1";
    private static final ValueBinder BINDER = new MySqlValueBinder();

    @Override
    public ValueBinder binder() {
        return BINDER;
    }

    @Override
    public String name() {
        return "MariaDB/MySQL";
    }

    @Override
    protected char quoteChar() {
        return '`';
    }

    @Override
    protected int maxIdentifierLength() {
        return 64;
    }

    @Override
    public String columnType(Column c) {
        if (c.merge() == MergeFunction.HISTOGRAM) {
            return "JSON";
        }
        Schema s = c.schema();
        String logical = s.name();
        if (Timestamp.LOGICAL_NAME.equals(logical)) {
            return "DATETIME(3)";
        }
        if (Date.LOGICAL_NAME.equals(logical)) {
            return "DATE";
        }
        if (Time.LOGICAL_NAME.equals(logical)) {
            return "TIME(3)";
        }
        if (Decimal.LOGICAL_NAME.equals(logical)) {
            String scale = s.parameters() == null ? null : s.parameters().get(Decimal.SCALE_FIELD);
            return "DECIMAL(65," + (scale == null ? "10" : scale) + ")";
        }
        switch (s.type()) {
            case INT8:
                return "TINYINT";
            case INT16:
                return "SMALLINT";
            case INT32:
                return "INT";
            case INT64:
                return "BIGINT";
            case FLOAT32:
                return "FLOAT";
            case FLOAT64:
                return "DOUBLE";
            case BOOLEAN:
                return "BOOLEAN";
            case BYTES:
                return c.isKey() ? "VARBINARY(255)" : "LONGBLOB";
            default:
                return c.isKey() ? "VARCHAR(191)" : "LONGTEXT";
        }
    }

    /**
     * Text compares its bytes: a binary collation without padding. {@code utf8mb4_bin} is a PAD SPACE collation, which
     * counts {@code "a"} and {@code "a "} as one key; MariaDB (10.2+) calls the NO PAD one {@code utf8mb4_nopad_bin},
     * MySQL (8.0+) {@code utf8mb4_0900_bin}. Which server it is, {@link #initialize} finds out before any table is made.
     */
    private volatile String textCollation = MySqlCollations.MARIADB;

    @Override
    public String createTable(TableShape shape) {
        return super.createTable(shape) + tableOptions();
    }

    /** InnoDB's primary key holds 3,072 bytes. */
    private static final int MAX_KEY_BYTES = 3072;
    private static final int MAX_KEY_CHARS = 191;

    /**
     * String keys share what the other key columns leave of InnoDB's 3,072 bytes, at 4 bytes a character (utf8mb4) and
     * 2 for the length: up to four of them get {@value #MAX_KEY_CHARS} characters, more get fewer, so that the table
     * can be created at all. A longer value is refused, never cut (the session is strict).
     */
    @Override
    protected String keyColumnDefinition(Column c, TableShape shape) {
        String type = columnType(c);
        return type.startsWith("VARCHAR") ? "VARCHAR(" + keyChars(shape) + ")" : type;
    }

    private int keyChars(TableShape shape) {
        int strings = 0;
        int otherBytes = 0;
        for (Column k : shape.keyColumns()) {
            String type = columnType(k);
            if (type.startsWith("VARCHAR")) {
                strings++;
            } else {
                otherBytes += type.startsWith("VARBINARY") ? 257 : type.startsWith("DECIMAL") ? 30 : 8;
            }
        }
        return strings == 0 ? MAX_KEY_CHARS : Math.min(MAX_KEY_CHARS, (MAX_KEY_BYTES - otherBytes - 2 * strings) / (4 * strings));
    }

    @Override
    public String createOffsetsTable(String table) {
        return super.createOffsetsTable(table) + tableOptions();
    }

    private String tableOptions() {
        return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" + textCollation;
    }

    @Override
    public List<String> adviceOn(Connection conn, TableShape shape) throws SQLException {
        return MySqlCollations.advice(this, conn, shape, textCollation);
    }

    @Override
    public String upsert(TableShape shape, int rows) {
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(quote(shape.table())).append(" (").append(columnList(shape))
                .append(") VALUES ").append(valuesList(shape.columns().size(), rows)).append(" ON DUPLICATE KEY UPDATE ");
        List<String> sets = new ArrayList<>();
        String firstKey = null;
        for (Column c : shape.columns()) {
            String q = quote(c.name());
            if (c.isKey()) {
                if (firstKey == null) {
                    firstKey = q;
                }
                continue;
            }
            // each expression reads only its own column, so MySQL's left-to-right assignment order cannot leak
            sets.add(q + " = " + mergeExpression(c.merge(), q, "VALUES(" + q + ")"));
        }
        if (sets.isEmpty()) {
            sets.add(firstKey + " = " + firstKey);
        }
        return sb.append(String.join(", ", sets)).toString();
    }

    /** The function handles NULL on either side itself. */
    @Override
    protected String histogramMerge(String stored, String incoming) {
        return quote(HISTOGRAM_MERGE_FUNCTION) + "(" + stored + ", " + incoming + ")";
    }

    /** The merge function, for the database the connection uses; IF NOT EXISTS needs MariaDB 10.1.3 or MySQL 8.0.29. */
    @Override
    public List<String> histogramSupport() {
        String pairs = " '$[*]' COLUMNS (b INT PATH '$[0]', n BIGINT PATH '$[1]'))";
        return List.of("CREATE FUNCTION IF NOT EXISTS " + quote(HISTOGRAM_MERGE_FUNCTION) + "(a LONGTEXT, b LONGTEXT) "
                + "RETURNS LONGTEXT DETERMINISTIC RETURN CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE ("
                + "SELECT JSON_ARRAYAGG(JSON_ARRAY(m.b, m.n)) FROM (SELECT u.b, CAST(SUM(u.n) AS SIGNED) AS n FROM ("
                + "SELECT x.b, x.n FROM JSON_TABLE(a," + pairs + " AS x UNION ALL SELECT y.b, y.n FROM JSON_TABLE(b," + pairs
                + " AS y) AS u GROUP BY u.b ORDER BY u.b) AS m) END");
    }

    @Override
    public String histogramSupportCheck() {
        return "SELECT " + quote(HISTOGRAM_MERGE_FUNCTION) + "(NULL, NULL)";
    }

    @Override
    public HistogramPairs histogramPairs(String column) {
        return new HistogramPairs("CROSS JOIN JSON_TABLE(t." + quote(column) + ", '$[*]' COLUMNS (b INT PATH '$[0]', "
                + "n BIGINT PATH '$[1]')) AS e", "e.b", "e.n");
    }

    @Override
    public String insertOffsetIfAbsent(String table) {
        return "INSERT IGNORE INTO " + quote(table) + " (connector_name, topic, kafka_partition, next_offset) VALUES (?, ?, ?, -1)";
    }

    @Override
    protected String catalog(Connection conn) throws SQLException {
        return conn.getCatalog();
    }


    /**
     * UTC, and strict about values whatever the server's default: without STRICT_ALL_TABLES a key longer than its column
     * would be cut to fit, and two groups sharing the kept prefix would be counted in one row; with it the row is
     * refused (DLQ) instead.
     */
    @Override
    public void initialize(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            st.execute("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')");
            try (java.sql.ResultSet rs = st.executeQuery("SELECT VERSION()")) {
                rs.next();
                textCollation = MySqlCollations.forServer(rs.getString(1));
            }
        }
    }

    @Override
    public void addTimeouts(Properties props, long connectTimeoutMs, long socketTimeoutMs) {
        props.putIfAbsent("connectTimeout", Long.toString(connectTimeoutMs));
        props.putIfAbsent("socketTimeout", Long.toString(socketTimeoutMs));
        props.putIfAbsent("tcpKeepAlive", "true");
    }

    @Override
    protected boolean isConflict(SQLException e) {
        return e.getErrorCode() == 1213 || e.getErrorCode() == 1205; // deadlock, lock wait timeout
    }

    @Override
    protected boolean isAccessDenied(SQLException e) {
        int code = e.getErrorCode();
        // database, user, table, column, routine access denied; missing privilege; a routine that needs SUPER with binary logging
        return code == 1044 || code == 1045 || code == 1142 || code == 1143 || code == 1370 || code == 1227 || code == 1419;
    }

    @Override
    public boolean isConnectionProblem(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                int code = sql.getErrorCode();
                // too many connections, server shutdown, lost connection, gone away, can't connect
                if (code == 1040 || code == 1053 || code == 2002 || code == 2003 || code == 2006 || code == 2013) {
                    return true;
                }
            }
        }
        return super.isConnectionProblem(e);
    }

    @Override
    public String truncateWindowStart(String column, QuantileSql.Period period) {
        return "DATE_FORMAT(" + column + ", '" + (period == QuantileSql.Period.HOUR ? "%Y-%m-%d %H:00:00" : "%Y-%m-%d") + "')";
    }
}
