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
}
