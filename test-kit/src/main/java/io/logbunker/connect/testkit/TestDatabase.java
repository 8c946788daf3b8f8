package io.logbunker.connect.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A real database for the behaviour suite. PostgreSQL and MariaDB default to the local servers that
 * bin/ensure-databases starts; point elsewhere with LOGBUNKER_PG_URL / LOGBUNKER_PG_USER / LOGBUNKER_PG_PASSWORD
 * and LOGBUNKER_MYSQL_URL / LOGBUNKER_MYSQL_USER / LOGBUNKER_MYSQL_PASSWORD. A missing server fails the suite.
 */
public record TestDatabase(String name, String url, String user, String password, char quote) {

    public static TestDatabase postgres() {
        return new TestDatabase("postgresql", env("LOGBUNKER_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
                env("LOGBUNKER_PG_USER", "postgres"), env("LOGBUNKER_PG_PASSWORD", ""), '"');
    }

    public static TestDatabase mariadb() {
        return new TestDatabase("mariadb", env("LOGBUNKER_MYSQL_URL", "jdbc:mariadb://127.0.0.1:3306/test"),
                env("LOGBUNKER_MYSQL_USER", "root"), env("LOGBUNKER_MYSQL_PASSWORD", ""), '`');
    }

    public static TestDatabase sqlite() {
        try {
            Path dir = Files.createTempDirectory("logbunker-sqlite");
            return new TestDatabase("sqlite", "jdbc:sqlite:" + dir.resolve("metrics.db"), null, null, '"');
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    public Connection connect() throws SQLException {
        try {
            return DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            throw new SQLException("The " + name + " test database at " + url + " is not reachable (" + e.getMessage()
                    + "). Run bin/ensure-databases, or point the tests at a server with the LOGBUNKER_* variables.", e);
        }
    }

    /** Connector config pointing at this database. */
    public Map<String, String> sinkConfig(String connectorName) {
        Map<String, String> c = new HashMap<>();
        c.put("name", connectorName);
        c.put("connection.url", url);
        if (user != null) {
            c.put("connection.user", user);
        }
        if (password != null && !password.isEmpty()) {
            c.put("connection.password", password);
        }
        c.put("retry.backoff.ms", "10");
        return c;
    }

    public String q(String identifier) {
        String s = String.valueOf(quote);
        return s + identifier.replace(s, s + s) + s;
    }

    public long scalarLong(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row for " + sql);
            }
            return rs.getLong(1);
        }
    }

    public Object scalar(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }

    public void dropTable(String table) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + q(table));
        }
    }

    public boolean tableExists(String table) throws SQLException {
        try (Connection c = connect(); ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
            while (rs.next()) {
                if (table.equals(rs.getString("TABLE_NAME"))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** requests and bytes_sent per "window_start epoch ms|status" in an aggregate table (timestamptz window_start). */
    public Map<String, long[]> totalsByWindowAndStatus(String table) throws SQLException {
        Map<String, long[]> m = new java.util.TreeMap<>();
        if (!tableExists(table)) {
            return m;
        }
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT window_start, status, requests, bytes_sent FROM " + q(table))) {
            while (rs.next()) {
                long window = rs.getObject(1, java.time.OffsetDateTime.class).toInstant().toEpochMilli();
                m.put(window + "|" + rs.getString(2), new long[] {rs.getLong(3), rs.getLong(4)});
            }
        }
        return m;
    }

    private static final java.util.regex.Pattern PAIR = java.util.regex.Pattern.compile("\\[\\s*(-?\\d+)\\s*,\\s*(\\d+)\\s*]");

    /**
     * A histogram column's counts per "window_start epoch ms|status|bucket", read from its documented JSON text
     * {@code [[bucket,count],...]} with a regular expression (not the project's code); a bucket listed twice fails.
     */
    public Map<String, Long> histogramBuckets(String table, String column) throws SQLException {
        Map<String, Long> m = new java.util.TreeMap<>();
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + q("window_start") + ", " + q("status") + ", " + q(column) + " FROM " + q(table))) {
            while (rs.next()) {
                String json = rs.getString(3);
                if (json == null) {
                    continue;
                }
                String prefix = epochMs(rs.getObject(1)) + "|" + rs.getString(2) + "|";
                java.util.regex.Matcher pair = PAIR.matcher(json);
                while (pair.find()) {
                    if (m.put(prefix + pair.group(1), Long.parseLong(pair.group(2))) != null) {
                        throw new AssertionError("bucket " + pair.group(1) + " twice in " + json);
                    }
                }
            }
        }
        return m;
    }

    /** A window_start as the drivers return it (timestamptz, DATETIME in UTC, ISO-8601 text) in epoch ms. */
    public static long epochMs(Object ts) {
        if (ts instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
        }
        if (ts instanceof java.time.OffsetDateTime o) {
            return o.toInstant().toEpochMilli();
        }
        if (ts instanceof java.time.LocalDateTime l) {
            return l.toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
        }
        return java.time.Instant.parse(ts.toString()).toEpochMilli();
    }

    public long sumRequests(String table) throws SQLException {
        return tableExists(table) ? scalarLong("SELECT COALESCE(SUM(requests), 0) FROM " + q(table)) : 0;
    }

    /** Waits until the table's SUM(requests) reaches {@code expected}; fails with what it reached. */
    public void awaitRequests(String table, long expected, java.time.Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        while (System.nanoTime() < deadline) {
            try {
                seen = sumRequests(table);
                if (seen >= expected) {
                    return;
                }
            } catch (SQLException e) {
                // created while we looked
            }
            Thread.sleep(200);
        }
        throw new AssertionError("table " + table + " reached " + seen + " requests, expected " + expected);
    }
}
