package io.logbunker.connect.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.TestDatabase;
import io.logbunker.demo.LocalKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real worker process started as the README says, with the Prometheus JMX exporter agent and the shipped rules
 * (connect-configs/prometheus/jmx-exporter.yml), runs the source and the sink into PostgreSQL. Its /metrics then shows
 * the lines written and the bad lines injected, nothing behind, and every metric the shipped Grafana dashboard queries.
 */
class PrometheusMetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theWorkersMetricsEndpointCountsWhatWasWrittenAndHasEveryMetricOfTheDashboard(@TempDir Path dir) throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path repo = Paths.get("").toAbsolutePath().getParent();
        String agent = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> e.contains("jmx_prometheus_javaagent")).findFirst()
                .orElseThrow(() -> new AssertionError("the JMX exporter agent is not on the test class path"));
        int metricsPort = 29_404;
        TestDatabase pg = TestDatabase.postgres();
        String run = Long.toString(System.currentTimeMillis(), 36);
        String table = "prometheus_" + run;
        try (LocalKafka kafka = new LocalKafka(repo, dir.resolve("state"))) {
            kafka.allowLogDirectories(List.of(logs));
            kafka.startBroker(29_292);
            kafka.workerJvmOptions(List.of("-javaagent:" + agent + "=127.0.0.1:" + metricsPort + ":"
                    + repo.resolve("connect-configs/prometheus/jmx-exporter.yml")));
            String url = kafka.startWorker("worker-1", 29_292, 28_383, System.getProperty("logbunker.pluginPath"), Map.of(),
                    List.of("AccessLogSourceConnector", "AggregateUpsertSinkConnector"));
            LogWriter writer = new LogWriter(logs.resolve("access.log"), 5);
            writer.writeLines(20_000);
            writer.close();
            kafka.putConnector(url, source(logs, run));
            kafka.putConnector(url, sink(pg, run, table));
            pg.awaitRequests(table, writer.goodLines(), Duration.ofSeconds(180));

            String source = "prom-source-" + run;
            Map<String, Double> m = awaitMetric(metricsPort, "logbunker_lines_read_total", source, writer.goodLines() + writer.badLines());
            assertEquals(writer.goodLines() + writer.badLines(), value(m, "logbunker_lines_read_total", source), "lines read = lines written");
            assertEquals(writer.badLines(), value(m, "logbunker_lines_rejected_total", source), "rejected = the bad lines injected");
            assertEquals(0, value(m, "logbunker_bytes_behind_total", source), "nothing behind");
            assertEquals(0, value(m, "logbunker_source_file_bytes_behind", source), "nothing behind in the file");
            assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("logbunker_source_file_bytes_behind{") && k.contains("file_identity=")),
                    "per-file metric with its identity");
            assertEquals(1, value(m, "kafka_connect_connector_running_task_count", source), "the source task runs");
            assertTrue(value(m, "logbunker_last_written_window_start_ms", "prom-sink-" + run) >= LogWriter.BASE_TIME_MS,
                    "the newest window in the table");
            assertTrue(value(m, "logbunker_rows_written_total", "prom-sink-" + run) > 0, "rows written");
            assertTrue(value(m, "kafka_connect_sink_task_sink_record_read_total", "prom-sink-" + run) > 0, "the sink's records: "
                    + m.keySet().stream().filter(k -> k.startsWith("kafka_connect_sink")).toList());

            // a real Prometheus (Debian's package; bin/test installs it) scrapes the worker and answers the same over its API
            Path prometheus = Paths.get("/usr/bin/prometheus");
            if (Files.isExecutable(prometheus)) {
                assertEquals(writer.goodLines() + writer.badLines(), queryPrometheus(prometheus, dir, metricsPort,
                        "sum(logbunker_lines_read_total{connector=\"" + source + "\"})"), "lines read, as Prometheus stored them");
            } else {
                System.out.println("PrometheusMetricsIT: /usr/bin/prometheus is not installed (apt-get install prometheus); "
                        + "the endpoint was checked, a real Prometheus was not run");
            }

            // every metric the dashboard queries is there
            Set<String> names = new TreeSet<>();
            m.keySet().forEach(k -> names.add(k.replaceAll("\\{.*", "")));
            for (String metric : dashboardMetrics(repo.resolve("connect-configs/grafana/logbunker-dashboard.json"))) {
                assertTrue(names.contains(metric), "the dashboard queries " + metric + ", which the worker does not export; it has "
                        + names.stream().filter(n -> n.startsWith("logbunker_") || n.startsWith("kafka_connect")).toList());
            }
        } finally {
            pg.dropTable(table);
        }
    }

    /** Starts Prometheus scraping the worker every second, and returns the value of {@code query} once it has one. */
    private double queryPrometheus(Path binary, Path dir, int metricsPort, String query) throws Exception {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: connect\n    static_configs:\n"
                + "      - targets: [\"127.0.0.1:" + metricsPort + "\"]\n");
        int port = 29_090;
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String last = "";
            while (System.nanoTime() < deadline) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                            + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    last = r.body();
                    JsonNode result = JSON.readTree(r.body()).path("data").path("result");
                    if (result.size() > 0) {
                        return Double.parseDouble(result.get(0).path("value").get(1).asText());
                    }
                } catch (java.io.IOException notYet) {
                    // Prometheus is starting
                }
                Thread.sleep(500);
            }
            throw new AssertionError("Prometheus had no value for " + query + " within 60 s: " + last + "; see " + dir.resolve("prometheus.log"));
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Metric names (logbunker_*, kafka_connect_*, kafka_consumer_*) in the dashboard's queries. */
    static List<String> dashboardMetrics(Path dashboard) throws Exception {
        List<String> out = new ArrayList<>();
        Pattern name = Pattern.compile("\\b(logbunker_[a-z_]+|kafka_connect_[a-z_]+|kafka_consumer_[a-z_]+)\\b");
        for (JsonNode panel : JSON.readTree(dashboard.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = name.matcher(target.path("expr").asText());
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        assertTrue(out.size() >= 8, "the dashboard's queries: " + out);
        return out;
    }

    private static double value(Map<String, Double> metrics, String name, String connector) {
        return metrics.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{") && e.getKey().contains("connector=\"" + connector + "\""))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private Map<String, Double> awaitMetric(int port, String name, String connector, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, Double> m = Map.of();
        while (System.nanoTime() < deadline) {
            m = scrape(port);
            if (value(m, name, connector) == expected && value(m, "logbunker_bytes_behind_total", connector) == 0) {
                return m;
            }
            Thread.sleep(500);
        }
        return m;
    }

    /** The Prometheus text format as "name{labels}" -> value. */
    private Map<String, Double> scrape(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Map<String, Double> out = new java.util.HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            try {
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException e) {
                // NaN and the like are not asserted on
            }
        }
        return out;
    }

    private static JsonNode source(Path logs, String run) {
        ObjectNode c = JSON.createObjectNode();
        c.put("name", "prom-source-" + run);
        c.put("connector.class", "io.logbunker.connect.source.AccessLogSourceConnector");
        c.put("tasks.max", "1");
        c.put("exactly.once.support", "required");
        c.put("files", logs + "/access.log*");
        c.put("topic", "prom-metrics-" + run);
        c.put("group.by", "status");
        c.put("window.grace.ms", "0");
        c.put("flush.idle.ms", "300");
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        c.put("key.converter", PipelineCluster.COMPACT); // loaded from both plugin directories of a real worker
        c.put("value.converter", PipelineCluster.COMPACT);
        return c;
    }

    private static JsonNode sink(TestDatabase pg, String run, String table) {
        ObjectNode c = JSON.createObjectNode();
        pg.sinkConfig("prom-sink-" + run).forEach(c::put);
        c.put("connector.class", "io.logbunker.connect.sink.AggregateUpsertSinkConnector");
        c.put("topics", "prom-metrics-" + run);
        c.put("table.name.format", table);
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("key.converter", PipelineCluster.COMPACT);
        c.put("value.converter", PipelineCluster.COMPACT);
        return c;
    }
}
