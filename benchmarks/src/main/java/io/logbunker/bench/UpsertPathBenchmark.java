package io.logbunker.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Which write path merges a pre-merged, key-sorted batch fastest: one multi-row VALUES upsert per 1,000 rows (what
 * the sink does), a JDBC batch of single-row upserts, and for PostgreSQL one upsert from UNNEST arrays. Each run
 * upserts the same rows twice (insert, then merge into existing rows) inside one transaction per batch, like a put().
 */
public final class UpsertPathBenchmark {
    private static final int ROWS = 50_000;
    private static final int BATCH = 5_000;

    public static void main(String[] args) throws Exception {
        String pg = System.getProperty("pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
        String my = System.getProperty("mysql.url", "jdbc:mariadb://127.0.0.1:3306/test");
        try (Connection c = DriverManager.getConnection(pg, System.getProperty("pg.user", "postgres"), "")) {
            run("PostgreSQL", c, "\"", "INSERT INTO %s AS s (window_start, status, requests, bytes_sent) VALUES %s "
                    + "ON CONFLICT (window_start, status) DO UPDATE SET requests = COALESCE(s.requests + EXCLUDED.requests, s.requests, "
                    + "EXCLUDED.requests), bytes_sent = COALESCE(s.bytes_sent + EXCLUDED.bytes_sent, s.bytes_sent, EXCLUDED.bytes_sent)",
                    "TIMESTAMPTZ", true);
        }
        try (Connection c = DriverManager.getConnection(my, System.getProperty("mysql.user", "root"), "")) {
            run("MariaDB", c, "`", "INSERT INTO %s (window_start, status, requests, bytes_sent) VALUES %s ON DUPLICATE KEY UPDATE "
                    + "requests = COALESCE(requests + VALUES(requests), requests, VALUES(requests)), "
                    + "bytes_sent = COALESCE(bytes_sent + VALUES(bytes_sent), bytes_sent, VALUES(bytes_sent))", "DATETIME(3)", false);
        }
        java.nio.file.Path dbFile = java.nio.file.Files.createTempFile("upsert-bench", ".db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile)) {
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
            }
            run("SQLite", c, "\"", "INSERT INTO %s (window_start, status, requests, bytes_sent) VALUES %s ON CONFLICT (window_start, status) "
                    + "DO UPDATE SET requests = COALESCE(requests + excluded.requests, requests, excluded.requests), "
                    + "bytes_sent = COALESCE(bytes_sent + excluded.bytes_sent, bytes_sent, excluded.bytes_sent)", "TEXT", false);
        }
    }

    private static void run(String name, Connection c, String q, String template, String tsType, boolean unnest) throws Exception {
        String table = "upsert_bench";
        for (int rep = 0; rep < 3; rep++) {
            List<String> line = new ArrayList<>();
            for (int perStatement : new int[] {1000}) {
                line.add(String.format("multi-row VALUES (%d rows/statement) %,.0f rows/s", perStatement,
                        time(c, table, tsType, () -> multiRow(c, template, table, perStatement))));
            }
            line.add(String.format("JDBC batch of single-row upserts %,.0f rows/s", time(c, table, tsType, () -> jdbcBatch(c, template, table))));
            if (unnest) {
                line.add(String.format("UNNEST arrays %,.0f rows/s", time(c, table, tsType, () -> unnest(c, table))));
            }
            System.out.println(name + " run " + (rep + 1) + ": " + String.join(" | ", line));
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static double time(Connection c, String table, String tsType, Body body) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
            st.execute("CREATE TABLE " + table + " (window_start " + tsType + " NOT NULL, status VARCHAR(64) NOT NULL, requests BIGINT, "
                    + "bytes_sent BIGINT, PRIMARY KEY (window_start, status))");
        }
        long t0 = System.nanoTime();
        body.run(); // inserts
        body.run(); // merges into existing rows
        double secs = (System.nanoTime() - t0) / 1e9;
        try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT SUM(requests) FROM " + table)) {
            rs.next();
            if (rs.getLong(1) != 2L * ROWS) {
                throw new IllegalStateException("wrong total " + rs.getLong(1));
            }
        }
        return 2.0 * ROWS / secs;
    }

    private static Object ts(Connection c, int i) throws Exception {
        long ms = 1_795_860_000_000L + (i / 100) * 60_000L;
        String product = c.getMetaData().getDatabaseProductName();
        if (product.contains("SQLite")) {
            return java.time.Instant.ofEpochMilli(ms).toString();
        }
        return new Timestamp(ms);
    }

    private static void multiRow(Connection c, String template, String table, int perStatement) throws Exception {
        c.setAutoCommit(false);
        for (int from = 0; from < ROWS; from += BATCH) {
            for (int s = from; s < from + BATCH; s += perStatement) {
                String values = String.join(", ", java.util.Collections.nCopies(perStatement, "(?, ?, ?, ?)"));
                try (PreparedStatement ps = c.prepareStatement(String.format(template, table, values))) {
                    int p = 1;
                    for (int i = s; i < s + perStatement; i++) {
                        ps.setObject(p++, ts(c, i));
                        ps.setString(p++, "s" + (i % 100));
                        ps.setLong(p++, 1);
                        ps.setLong(p++, i);
                    }
                    ps.executeUpdate();
                }
            }
            c.commit();
        }
        c.setAutoCommit(true);
    }

    private static void jdbcBatch(Connection c, String template, String table) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(String.format(template, table, "(?, ?, ?, ?)"))) {
            for (int from = 0; from < ROWS; from += BATCH) {
                for (int i = from; i < from + BATCH; i++) {
                    ps.setObject(1, ts(c, i));
                    ps.setString(2, "s" + (i % 100));
                    ps.setLong(3, 1);
                    ps.setLong(4, i);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            }
        }
        c.setAutoCommit(true);
    }

    private static void unnest(Connection c, String table) throws Exception {
        c.setAutoCommit(false);
        String sql = "INSERT INTO " + table + " AS s (window_start, status, requests, bytes_sent) SELECT * FROM UNNEST(?::timestamptz[], "
                + "?::varchar[], ?::bigint[], ?::bigint[]) ON CONFLICT (window_start, status) DO UPDATE SET requests = "
                + "COALESCE(s.requests + EXCLUDED.requests, s.requests, EXCLUDED.requests), bytes_sent = COALESCE(s.bytes_sent + "
                + "EXCLUDED.bytes_sent, s.bytes_sent, EXCLUDED.bytes_sent)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int from = 0; from < ROWS; from += BATCH) {
                Timestamp[] w = new Timestamp[BATCH];
                String[] st = new String[BATCH];
                Long[] r = new Long[BATCH];
                Long[] b = new Long[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    w[i] = (Timestamp) ts(c, from + i);
                    st[i] = "s" + ((from + i) % 100);
                    r[i] = 1L;
                    b[i] = (long) (from + i);
                }
                ps.setArray(1, c.createArrayOf("timestamptz", w));
                ps.setArray(2, c.createArrayOf("varchar", st));
                ps.setArray(3, c.createArrayOf("bigint", r));
                ps.setArray(4, c.createArrayOf("bigint", b));
                ps.executeUpdate();
                c.commit();
            }
        }
        c.setAutoCommit(true);
    }
}
