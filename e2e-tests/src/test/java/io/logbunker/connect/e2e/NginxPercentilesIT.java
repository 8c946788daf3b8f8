package io.logbunker.connect.e2e;

import com.sun.net.httpserver.HttpServer;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.RawLatencyCount;
import io.logbunker.connect.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Latency percentiles from a log written by real nginx under load: nginx proxies to an upstream group whose first
 * server refuses connections (so half the requests log an upstream list such as {@code "0.000, 0.031"}) and whose
 * second is a local backend answering after a heavy-tailed delay. The log goes through the source with histograms on
 * both times, one topic, and three sinks into PostgreSQL, MariaDB and SQLite; a generated log (log-normal body,
 * multi-second outliers, {@code -} values and upstream lists with {@code -}) takes the same way. In each database the documented quantile
 * queries (the golden files) return, for p50 to p99.9, values within the 1% accuracy of the exact nearest-rank
 * quantiles computed here from the raw lines: per (window, status), per status over all windows, and over everything.
 */
class NginxPercentilesIT {
    private static final int REQUESTS = 3_000;
    private static final int GENERATED = 20_000;
    private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99, 0.999};
    private static final Pattern LINE = Pattern.compile(
            "^\\S+ - \\S+ \\[([^\\]]+)\\] \"[^\"]*\" (\\d{3}) .* (\\d+\\.\\d+|-) \"([^\"]*)\"$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    @Test
    void percentilesInEveryDatabaseAreWithinTheAccuracyOfTheExactOnesFromNginxsOwnLog(@TempDir Path dir) throws Exception {
        Path nginx = Paths.get("/usr/sbin/nginx");
        assumeTrue(Files.isExecutable(nginx), "nginx is not installed (bin/test installs it: apt-get install nginx)");
        Path logs = Files.createDirectories(dir.resolve("logs"));
        HttpServer backend = backend();
        Process server = null;
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<TestDatabase> dbs = List.of(TestDatabase.postgres(), TestDatabase.mariadb(), TestDatabase.sqlite());
        try (PipelineCluster cluster = new PipelineCluster("nginx-pct", 1)) {
            int port = freePort();
            server = startNginx(nginx, dir, logs, port, freePort(), backend.getAddress().getPort());
            load(port);
            Path accessLog = logs.resolve("access.log");
            List<String[]> lines = awaitLines(accessLog, REQUESTS, true);
            // and a generated log: log-normal body, multi-second outliers, '-' and lists with '-' in the upstream field
            Path generatedDir = Files.createDirectories(dir.resolve("generated"));
            LogWriter generated = new LogWriter(generatedDir.resolve("access.log"), 20).withLatencies();
            generated.writeLines(GENERATED);
            generated.close();
            List<String[]> generatedLines = awaitLines(generatedDir.resolve("access.log"), GENERATED, false);

            String topic = "nginx-latency-" + run;
            cluster.connect.kafka().createTopic(topic, 2);
            Map<String, String> source = cluster.source(logs + "/access.log*", LogWriter.LATENCY_FORMAT, topic, "nginx-errors-" + run);
            source.put("metrics", "request_time:max,histogram;upstream_response_time:histogram");
            source.put("window.size.ms", "1000");
            cluster.connect.configureConnector("nginx-source-" + run, source);
            String generatedTopic = "generated-latency-" + run;
            cluster.connect.kafka().createTopic(generatedTopic, 1);
            cluster.connect.kafka().createTopic("generated-errors-" + run, 1); // the generator writes a few bad lines
            Map<String, String> generatedSource = cluster.source(generatedDir + "/access.log*", LogWriter.LATENCY_FORMAT, generatedTopic,
                    "generated-errors-" + run);
            generatedSource.put("metrics", "request_time:histogram;upstream_response_time:histogram");
            generatedSource.put("window.size.ms", "1000");
            cluster.connect.configureConnector("generated-source-" + run, generatedSource);
            String table = "nginx_pct_" + run;
            String generatedTable = "generated_pct_" + run;
            for (TestDatabase db : dbs) {
                Map<String, String> sink = new HashMap<>(db.sinkConfig("nginx-sink-" + db.name() + "-" + run));
                sink.put("connector.class", PipelineCluster.SINK_CLASS);
                sink.put("topics", topic + "," + generatedTopic);
                sink.put("table.name.format", "${topic}");
                sink.put("transforms", "table");
                sink.put("transforms.table.type", "org.apache.kafka.connect.transforms.RegexRouter");
                sink.put("transforms.table.regex", "(nginx|generated)-latency-.*");
                sink.put("transforms.table.replacement", "$1_pct_" + run);
                sink.put("consumer.override.isolation.level", "read_committed");
                sink.put("key.converter", PipelineCluster.COMPACT); // what the cluster's sources write
                sink.put("value.converter", PipelineCluster.COMPACT);
                cluster.connect.configureConnector("nginx-sink-" + db.name() + "-" + run, sink);
            }
            for (TestDatabase db : dbs) {
                db.awaitRequests(table, REQUESTS, Duration.ofSeconds(120));
                db.awaitRequests(generatedTable, GENERATED - generated.badLines(), Duration.ofSeconds(120));
            }
            for (TestDatabase db : dbs) {
                for (String field : List.of("request_time", "upstream_response_time")) {
                    checkQuantiles(db, table, field + "_histogram", lines, field.equals("request_time") ? 2 : 3);
                    checkQuantiles(db, generatedTable, field + "_histogram", generatedLines, field.equals("request_time") ? 2 : 3);
                }
            }
            for (TestDatabase db : dbs) {
                for (String t : List.of(table, generatedTable)) {
                    db.dropTable(t);
                }
            }
        } finally {
            if (server != null) {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            backend.stop(0);
        }
    }

    /** Compares every quantile query of the golden files, run in {@code db}, with the exact quantiles of the raw values. */
    private static void checkQuantiles(TestDatabase db, String table, String histogram, List<String[]> lines, int column) throws Exception {
        String histogramTable = table + "." + histogram;
        Map<String, List<Double>> perWindowAndStatus = new TreeMap<>();
        Map<String, List<Double>> perStatus = new TreeMap<>();
        List<Double> all = new ArrayList<>();
        for (String[] l : lines) {
            BigDecimal v = RawLatencyCount.value(l[column]);
            if (v == null) {
                continue;
            }
            perWindowAndStatus.computeIfAbsent(l[0] + "|" + l[1], k -> new ArrayList<>()).add(v.doubleValue());
            perStatus.computeIfAbsent(l[1], k -> new ArrayList<>()).add(v.doubleValue());
            all.add(v.doubleValue());
        }
        assertTrue(all.size() > REQUESTS / 2, histogramTable + ": the log has values (" + all.size() + ")");
        String dialect = db.name().equals("mariadb") ? "mysql" : db.name();
        String one = golden(db, dialect, "quantile_one_window_and_group.sql", table, histogram);
        String range = golden(db, dialect, "quantile_over_a_range_of_windows.sql", table, histogram);
        String perDay = golden(db, dialect, "quantile_per_day.sql", table, histogram);
        try (Connection c = db.connect()) {
            for (double q : QUANTILES) {
                for (Map.Entry<String, List<Double>> e : perWindowAndStatus.entrySet()) {
                    String[] k = e.getKey().split("\\|");
                    try (PreparedStatement ps = c.prepareStatement(one)) {
                        bindTime(db, ps, 1, Long.parseLong(k[0]));
                        ps.setString(2, k[1]);
                        ps.setDouble(3, q);
                        check(db, histogramTable + " p" + q + " of window " + k[0] + ", status " + k[1], e.getValue(), q, single(ps));
                    }
                }
                for (Map.Entry<String, List<Double>> e : perStatus.entrySet()) {
                    try (PreparedStatement ps = c.prepareStatement(range)) {
                        ps.setString(1, e.getKey());
                        bindTime(db, ps, 2, 0);
                        bindTime(db, ps, 3, 4_000_000_000_000L);
                        ps.setDouble(4, q);
                        check(db, histogramTable + " p" + q + " of status " + e.getKey() + " over all windows", e.getValue(), q, single(ps));
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(perDay)) {
                    ps.setDouble(1, q);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "no row per day");
                        check(db, histogramTable + " p" + q + " of everything", all, q, rs.getDouble(2));
                        assertTrue(!rs.next(), "the run fits in one day");
                    }
                }
            }
        }
    }

    private static void check(TestDatabase db, String what, List<Double> values, double q, double fromBuckets) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double exact = sorted[Math.max(1, (int) Math.ceil(q * sorted.length)) - 1];
        boolean ok = exact < 0.001 ? fromBuckets == 0 : Math.abs(fromBuckets - exact) <= 0.01 * exact * (1 + 1e-9);
        assertTrue(ok, db.name() + ": " + what + ": exact " + exact + " (of " + sorted.length + " values), from the buckets " + fromBuckets);
    }

    private static double single(PreparedStatement ps) throws Exception {
        try (ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next(), "the quantile query returned no row");
            return rs.getDouble(1);
        }
    }

    private static void bindTime(TestDatabase db, PreparedStatement ps, int index, long epochMs) throws Exception {
        Instant t = Instant.ofEpochMilli(epochMs);
        switch (db.name()) {
            case "postgresql" -> ps.setObject(index, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
            case "mariadb" -> ps.setObject(index, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
            default -> ps.setString(index, DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").format(t.atOffset(ZoneOffset.UTC)));
        }
    }

    /** A golden query (written for table access_metrics, column request_time_histogram) for another table and column. */
    private static String golden(TestDatabase db, String dialect, String file, String table, String histogram) throws Exception {
        String sql = Files.readString(Paths.get("../sink-connector/src/test/resources/golden", dialect, file)).trim();
        return sql.replace(db.q("access_metrics"), db.q(table)).replace(db.q("request_time_histogram"), db.q(histogram));
    }

    /**
     * Each line as {window start ms (1 s windows), status, request_time, upstream_response_time}; lines of another
     * format (the generator's bad lines) are left out.
     */
    private static List<String[]> awaitLines(Path log, int expected, boolean nginx) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> raw = List.of();
        while (System.nanoTime() < deadline) {
            raw = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (raw.size() >= expected) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(expected, raw.size(), "nginx logged every request");
        List<String[]> lines = new ArrayList<>();
        int lists = 0;
        for (String l : raw) {
            Matcher m = LINE.matcher(l);
            if (!m.matches() && !nginx) {
                continue;
            }
            assertTrue(m.matches(), "an nginx line of the format: " + l);
            long t = ZonedDateTime.parse(m.group(1), TIME).toInstant().toEpochMilli();
            lines.add(new String[] {Long.toString(Math.floorDiv(t, 1000) * 1000), m.group(2), m.group(3), m.group(4)});
            if (m.group(4).contains(",")) {
                lists++;
            }
        }
        assertTrue(lists > expected / (nginx ? 10 : 20), "the log has upstream lists (" + lists + ")");
        return lines;
    }

    /** A backend that answers after a log-normal delay around 15 ms, one in a hundred after 200-600 ms; /missing is a 404. */
    private static HttpServer backend() throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        Random random = new Random(11);
        s.setExecutor(Executors.newFixedThreadPool(64));
        s.createContext("/", exchange -> {
            double delay;
            synchronized (random) {
                delay = random.nextInt(100) == 0 ? 200 + random.nextInt(400) : Math.exp(Math.log(15) + 0.7 * random.nextGaussian());
            }
            try {
                Thread.sleep((long) delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "ok\n".getBytes();
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().startsWith("/missing") ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.start();
        return s;
    }

    private static Process startNginx(Path nginx, Path dir, Path logs, int port, int deadPort, int backendPort) throws Exception {
        for (String t : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve("tmp").resolve(t));
        }
        String format = LogWriter.LATENCY_FORMAT;
        String conf = "user root;\nworker_processes 1;\npid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log") + ";\n"
                + "events { worker_connections 1024; }\n"
                + "http {\n"
                + "  log_format latency '" + format + "';\n"
                + "  access_log " + logs.resolve("access.log") + " latency;\n"
                + "  client_body_temp_path " + dir.resolve("tmp/client_body") + "; proxy_temp_path " + dir.resolve("tmp/proxy") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + "; uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";\n"
                + "  scgi_temp_path " + dir.resolve("tmp/scgi") + ";\n"
                // the first server refuses connections and is never marked down, so every other request is tried twice
                + "  upstream backend { server 127.0.0.1:" + deadPort + " max_fails=0; server 127.0.0.1:" + backendPort + " max_fails=0; }\n"
                + "  server { listen 127.0.0.1:" + port + "; location / { proxy_pass http://backend; proxy_next_upstream error; } }\n"
                + "}\n";
        Path confFile = dir.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        Process p = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", confFile.toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                return p;
            } catch (java.io.IOException notYet) {
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nginx did not start: " + Files.readString(dir.resolve("nginx.out"))
                + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : ""));
    }

    /** REQUESTS requests, 32 at a time, one in ten to a path the backend answers with 404. */
    private static void load(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<HttpResponse<Void>>> all = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            inFlight.acquire();
            URI uri = URI.create("http://127.0.0.1:" + port + (i % 10 == 3 ? "/missing/" : "/t?ad=") + i);
            all.add(http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<Void>> f : all) {
            int status = f.get(60, TimeUnit.SECONDS).statusCode();
            assertTrue(status == 200 || status == 404, "status " + status);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
