package io.logbunker.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.RealLogs;
import io.logbunker.connect.testkit.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verify command against real PostgreSQL, MariaDB and SQLite tables holding the truth that {@link LogWriter}
 * counted on its own, then with the damage an incident leaves: a row altered, deleted or added, a line the pipeline
 * never saw.
 */
class VerifyTest {
    private final String table = "verify_" + UUID.randomUUID().toString().substring(0, 8);
    private TestDatabase db;

    @AfterEach
    void drop() throws Exception {
        if (db != null) {
            db.dropTable(table);
        }
    }

    private static TestDatabase database(String name) {
        return switch (name) {
            case "postgresql" -> TestDatabase.postgres();
            case "mariadb" -> TestDatabase.mariadb();
            default -> TestDatabase.sqlite();
        };
    }

    /** A table as the sink creates it, holding {@code rows} ("window ms|status" -> requests, bytes). */
    private void createTable(Map<String, long[]> rows, boolean withBytes) throws Exception {
        String ts = switch (db.name()) {
            case "postgresql" -> "TIMESTAMPTZ";
            case "mariadb" -> "DATETIME(3)";
            default -> "TEXT";
        };
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + db.q(table) + " (window_start " + ts + " NOT NULL, status VARCHAR(64) NOT NULL, requests BIGINT"
                    + (withBytes ? ", bytes_sent BIGINT" : "") + ", PRIMARY KEY (window_start, status))");
        }
        for (Map.Entry<String, long[]> e : rows.entrySet()) {
            String[] k = e.getKey().split("\\|");
            insert(Long.parseLong(k[0]), k[1], e.getValue()[0], e.getValue()[1], withBytes);
        }
    }

    private void bindWindow(PreparedStatement ps, int index, long window) throws Exception {
        Instant t = Instant.ofEpochMilli(window);
        switch (db.name()) {
            case "postgresql" -> ps.setObject(index, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
            case "mariadb" -> ps.setObject(index, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
            default -> ps.setString(index, DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").format(t.atOffset(ZoneOffset.UTC)));
        }
    }

    /** Runs {@code statement} whose last two parameters are a window start and a status. */
    private void atRow(String statement, long window, String status) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(statement)) {
            bindWindow(ps, 1, window);
            ps.setString(2, status);
            assertEquals(1, ps.executeUpdate(), statement);
        }
    }

    private void insert(long window, String status, long requests, long bytes, boolean withBytes) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + db.q(table) + " VALUES (?, ?, ?"
                + (withBytes ? ", ?" : "") + ")")) {
            bindWindow(ps, 1, window);
            ps.setString(2, status);
            ps.setLong(3, requests);
            if (withBytes) {
                ps.setLong(4, bytes);
            }
            ps.executeUpdate();
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run verify(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--jdbc-url", db.url(), "--table", table));
        if (db.user() != null) {
            all.addAll(List.of("--user", db.user()));
        }
        if (db.password() != null && !db.password().isEmpty()) {
            all.addAll(List.of("--password-env", "VERIFY_TEST_PASSWORD"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Verify.run(all.toArray(String[]::new), Map.of("VERIFY_TEST_PASSWORD", db.password() == null ? "" : db.password()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String timeLocal(long ms) {
        return DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).format(ZonedDateTime.ofInstant(Instant.ofEpochMilli(ms),
                ZoneOffset.ofHours(1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb", "sqlite"})
    void reportsEveryComparableWindowAsAMatchThenExactlyTheWindowsAnIncidentChanged(String database, @TempDir Path dir) throws Exception {
        db = database(database);
        LogWriter writer = new LogWriter(dir.resolve("access.log"), 50);
        writer.writeLines(8_000); // 400 s of log time: 7 or 8 one-minute windows, bad lines among them
        writer.close();
        Map<String, long[]> truth = writer.truth();
        createTable(truth, true);
        String files = dir + "/access.log*";

        Run clean = verify("--files", files, "--json");
        assertEquals(0, clean.exit(), clean.err() + clean.out());
        JsonNode j = new ObjectMapper().readTree(clean.out());
        assertEquals(0, j.get("missing").asInt() + j.get("extra").asInt() + j.get("differs").asInt());
        assertTrue(j.get("match").asInt() >= 10, clean.out());
        assertTrue(j.get("not_comparable").asInt() > 0, "the first and last windows are partial: " + clean.out());
        assertEquals(writer.badLines(), j.get("rejected").asLong());

        // an incident: one row altered, one deleted, one added, and a line the pipeline never saw
        List<String> middle = truth.keySet().stream().filter(k -> k.endsWith("|200")).sorted().toList();
        String[] altered = middle.get(2).split("\\|");
        String[] deleted = middle.get(3).split("\\|");
        String[] unseen = middle.get(4).split("\\|");
        atRow("UPDATE " + db.q(table) + " SET requests = requests + 1 WHERE window_start = ? AND status = ?", Long.parseLong(altered[0]), "200");
        atRow("DELETE FROM " + db.q(table) + " WHERE window_start = ? AND status = ?", Long.parseLong(deleted[0]), "200");
        insert(Long.parseLong(altered[0]), "418", 5, 50, true);
        Files.writeString(dir.resolve("access.log"), "10.0.0.1 - - [" + timeLocal(Long.parseLong(unseen[0]) + 1_000)
                + "] \"GET /late HTTP/1.1\" 200 7 \"-\" \"ua\"\n", StandardOpenOption.APPEND);

        Run after = verify("--files", files, "--json");
        assertEquals(1, after.exit(), after.err() + after.out());
        JsonNode a = new ObjectMapper().readTree(after.out());
        List<String> found = new ArrayList<>();
        for (JsonNode m : a.get("mismatches")) {
            found.add(m.get("outcome").asText() + " " + Instant.parse(m.get("window_start").asText()).toEpochMilli() + " " + m.get("group").asText());
        }
        assertEquals(List.of("differs " + altered[0] + " 200", "extra " + altered[0] + " 418", "missing " + deleted[0] + " 200",
                "differs " + unseen[0] + " 200").stream().sorted().toList(), found.stream().sorted().toList(), after.out());

        Run text = verify("--files", files);
        assertTrue(text.out().contains("missing") && text.out().contains("1 missing, 1 extra, 2 differ"), text.out());
    }

    @Test
    void aWrongFormatOrAMissingFileIsAClearErrorNotAMismatch(@TempDir Path dir) throws Exception {
        db = TestDatabase.sqlite();
        LogWriter writer = new LogWriter(dir.resolve("access.log"), 50);
        writer.writeLines(500);
        writer.close();
        createTable(writer.truth(), true);
        Run wrong = verify("--files", dir + "/access.log", "--log-format", "$remote_addr [$time_local] $status");
        assertEquals(2, wrong.exit());
        assertTrue(wrong.err().contains("of 500 lines rejected") && wrong.err().contains("check --log-format"), wrong.err());
        Run missing = verify("--files", dir + "/nowhere/access.log");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        Run partial = verify("--files", dir + "/access.log"); // 500 lines, 25 s: one window, first and last at once
        assertEquals(0, partial.exit(), partial.err());
        assertTrue(partial.out().contains("No window could be compared") && partial.out().contains("--complete"), partial.out());
        Run noTable = verify("--files", dir + "/access.log", "--table", "no_such_table");
        assertEquals(2, noTable.exit(), noTable.err());
    }

    @Test
    void linesAreRejectedByTheSourcesMetricsAsTheSourceRejectsThem(@TempDir Path dir) throws Exception {
        db = TestDatabase.sqlite();
        LogWriter writer = new LogWriter(dir.resolve("access.log"), 50).withLatencies();
        writer.writeLines(6_000); // 300 s of log time
        writer.close();
        createTable(writer.truth(), true);
        long middle = LogWriter.BASE_TIME_MS + 150_000;
        // a line whose $request_time is not a number: a source with request_time among its metrics rejects it
        Files.writeString(dir.resolve("access.log"), "10.0.0.1 - - [" + timeLocal(middle) + "] \"GET /x HTTP/1.1\" 200 7 \"-\" \"ua\" "
                + "abc \"0.010\"\n", StandardOpenOption.APPEND);
        String files = dir + "/access.log";
        Run rejected = verify("--files", files, "--log-format", LogWriter.LATENCY_FORMAT, "--metrics", "request_time:sum,histogram");
        assertEquals(0, rejected.exit(), rejected.out() + rejected.err());
        Run counted = verify("--files", files, "--log-format", LogWriter.LATENCY_FORMAT, "--metrics", "upstream_response_time:max");
        assertEquals(1, counted.exit(), "without request_time among the metrics the line counts: " + counted.out());
        assertTrue(counted.out().contains("1 differ"), counted.out());
    }

    @Test
    void pathDimensionsAreRecountedFromEachFilesDirectory(@TempDir Path dir) throws Exception {
        db = TestDatabase.sqlite();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + db.q(table) + " (window_start TEXT NOT NULL, host VARCHAR(64) NOT NULL, status VARCHAR(64) NOT NULL, "
                    + "requests BIGINT, bytes_sent BIGINT, PRIMARY KEY (window_start, host, status))");
        }
        for (String host : List.of("web-1", "web-2")) {
            LogWriter writer = new LogWriter(Files.createDirectories(dir.resolve(host)).resolve("access.log"), host.equals("web-1") ? 40 : 25);
            writer.writeLines(4_000);
            writer.close();
            for (Map.Entry<String, long[]> e : writer.truth().entrySet()) {
                String[] k = e.getKey().split("\\|");
                try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + db.q(table) + " VALUES (?, ?, ?, ?, ?)")) {
                    bindWindow(ps, 1, Long.parseLong(k[0]));
                    ps.setString(2, host);
                    ps.setString(3, k[1]);
                    ps.setLong(4, e.getValue()[0]);
                    ps.setLong(5, e.getValue()[1]);
                    ps.executeUpdate();
                }
            }
        }
        String files = dir + "/*/access.log";
        Run ok = verify("--files", files, "--path-dimensions", "/(?<host>web-[0-9]+)/");
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            // one row's lines attributed to the wrong host
            // (a row of a middle window: the first and last windows of the files are not comparable)
            st.execute("UPDATE " + db.q(table) + " SET host = 'web-3' WHERE rowid = (SELECT rowid FROM " + db.q(table)
                    + " WHERE host = 'web-2' ORDER BY window_start LIMIT 1 OFFSET (SELECT count(*) / 2 FROM " + db.q(table)
                    + " WHERE host = 'web-2'))");
        }
        Run wrongHost = verify("--files", files, "--path-dimensions", "/(?<host>web-[0-9]+)/");
        assertEquals(1, wrongHost.exit(), wrongHost.out());
        Run bad = verify("--files", files, "--path-dimensions", "/([^/]+)/");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--path-dimensions"), bad.err());
    }

    /** The real logs whose every line parses strictly (the elastic one has a line with an unterminated quote). */
    @ParameterizedTest
    @ValueSource(strings = {"nielsbasjes_logparser_hackers-access.log", "grafana_alloy_long-access.log"})
    void aRealLogMatchesItsIndependentlyCountedGroundTruth(String name, @TempDir Path dir) throws Exception {
        db = TestDatabase.sqlite();
        RealLogs.Log log = RealLogs.load(name, dir);
        Map<String, long[]> rows = new java.util.TreeMap<>();
        for (Map.Entry<String, Long> e : log.statusCounts().entrySet()) {
            rows.put("0|" + e.getKey(), new long[] {e.getValue(), 0});
        }
        createTable(rows, false); // the ground truth has requests per status; one window of a hundred years holds them all
        Run r = verify("--files", log.file().toString(), "--log-format", RealLogs.formatOf(name), "--window-ms",
                Long.toString(100L * 365 * 24 * 3600 * 1000), "--complete");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains(log.statusCounts().size() + " match"), r.out());
    }
}
