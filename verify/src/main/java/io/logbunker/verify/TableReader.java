package io.logbunker.verify;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Reads requests and bytes_sent per (window, group) from the pipeline's table, on PostgreSQL, MariaDB/MySQL or SQLite. */
final class TableReader {

    /** The rows; {@code hasBytes} is false for a table without bytes_sent (a format without a bytes variable). */
    record Table(Map<String, long[]> rows, boolean hasBytes) {
    }

    private TableReader() {
    }

    static Table read(VerifySettings s) {
        Properties props = new Properties();
        if (s.user() != null) {
            props.setProperty("user", s.user());
        }
        if (s.password() != null) {
            props.setProperty("password", s.password());
        }
        char quote = s.jdbcUrl().startsWith("jdbc:mysql:") || s.jdbcUrl().startsWith("jdbc:mariadb:") ? '`' : '"';
        List<String> keys = new ArrayList<>();
        keys.add("window_start");
        keys.addAll(new io.logbunker.connect.source.tail.FileDimensions(io.logbunker.connect.source.tail.PathDimensions.parse(
                s.pathDimensions()), s.host() == null ? "" : s.host()).names());
        keys.addAll(s.groupBy());
        StringBuilder sql = new StringBuilder("SELECT ");
        for (String k : keys) {
            sql.append(q(k, quote)).append(", ");
        }
        sql.append("requests, bytes_sent FROM ").append(q(s.table(), quote));
        Map<String, long[]> out = new TreeMap<>();
        boolean bytes;
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(), props)) {
            bytes = hasColumn(c, s.table(), "bytes_sent");
            String text = bytes ? sql.toString() : sql.toString().replace(", bytes_sent FROM", ", 0 FROM");
            try (PreparedStatement ps = c.prepareStatement(text); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long window = windowStart(rs, s.jdbcUrl());
                    List<String> dims = new ArrayList<>();
                    for (int i = 2; i <= keys.size(); i++) {
                        dims.add(rs.getString(i));
                    }
                    long[] v = out.computeIfAbsent(Comparison.key(window, dims), k -> new long[2]);
                    v[0] += rs.getLong(keys.size() + 1);
                    v[1] += rs.getLong(keys.size() + 2);
                }
            }
        } catch (SQLException e) {
            throw new VerifySettings.Unusable("cannot read table " + s.table() + " at " + redact(s.jdbcUrl()) + ": " + e.getMessage());
        }
        return new Table(out, bytes);
    }

    private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (ResultSet rs = c.getMetaData().getColumns(null, null, table, null)) {
            while (rs.next()) {
                if (column.equalsIgnoreCase(rs.getString("COLUMN_NAME"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A window start as the sink stores it: PostgreSQL timestamptz, MariaDB/MySQL DATETIME holding UTC, SQLite ISO-8601
     * text; read without the JVM's time zone getting in the way.
     */
    static long windowStart(ResultSet rs, String url) throws SQLException {
        if (url.startsWith("jdbc:postgresql:")) {
            return rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli();
        }
        if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) {
            return rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        return Instant.parse(rs.getString(1)).toEpochMilli();
    }

    private static String q(String identifier, char quote) {
        String s = String.valueOf(quote);
        return s + identifier.replace(s, s + s) + s;
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }
}
