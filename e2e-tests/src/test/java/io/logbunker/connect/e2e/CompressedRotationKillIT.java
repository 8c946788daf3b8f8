package io.logbunker.connect.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.RawLatencyCount;
import io.logbunker.connect.testkit.Logrotate;
import io.logbunker.connect.testkit.RawLogCount;
import io.logbunker.demo.LocalKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source on a real worker process (a child JVM from connect-configs/worker.properties, EOS, the plugin from
 * plugin.path) is stopped through REST while the real logrotate rotates and compresses three times, resumed, and the
 * worker is killed with SIGKILL while it reads the compressed rotations; a new worker process takes over. The records
 * committed to Kafka add up, per (window, status), to the truth counted from every file, decompressed, and so do the
 * bucket counts of the request-time and upstream-time histograms.
 */
class CompressedRotationKillIT {
    private static final String CONNECTOR = "gz-kill-source";
    private static final String TOPIC = "access-metrics-gz-kill";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aWorkerKilledWhileItReadsCompressedRotationsLosesAndRepeatsNothing(@TempDir Path dir) throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path repo = Paths.get("").toAbsolutePath().getParent();
        int kafkaPort = 29_192;
        try (LocalKafka kafka = new LocalKafka(repo, dir.resolve("state"))) {
            kafka.allowLogDirectories(List.of(logs));
            kafka.startBroker(kafkaPort);
            String pluginPath = System.getProperty("logbunker.pluginPath");
            String url = kafka.startWorker("worker-1", kafkaPort, 28_183, pluginPath, Map.of(), List.of("AccessLogSourceConnector"));

            LogWriter writer = new LogWriter(logs.resolve("access.log"), 3).withLatencies();
            Logrotate logrotate = new Logrotate(logs.resolve("access.log"));
            writer.writeLines(20_000);
            kafka.putConnector(url, connectorConfig(logs));
            awaitTaskState(kafka, url, "RUNNING");
            writer.startAppending(2_000, 20);
            try {
                TimeUnit.SECONDS.sleep(2); // these waits pace the scenario; nothing is asserted on them
                rest(url, "PUT", "/connectors/" + CONNECTOR + "/stop");
                awaitConnectorState(kafka, url, "STOPPED");
                for (int rotation = 0; rotation < 3; rotation++) {
                    TimeUnit.SECONDS.sleep(2);
                    logrotate.rotate(writer);
                }
                TimeUnit.SECONDS.sleep(1);
                rest(url, "PUT", "/connectors/" + CONNECTOR + "/resume");
                awaitTaskState(kafka, url, "RUNNING");
                kafka.kill("worker-1"); // SIGKILL, while it reads the rotations compressed while it was stopped
                String url2 = kafka.startWorker("worker-2", kafkaPort, 28_184, pluginPath, Map.of(), List.of("AccessLogSourceConnector"));
                awaitTaskRunningOn(kafka, url2, ":28184"); // the status of the killed worker says RUNNING until then
                TimeUnit.SECONDS.sleep(2);
                logrotate.rotate(writer);
                TimeUnit.SECONDS.sleep(2);
            } finally {
                writer.stopAndClose();
            }
            try (var files = Files.list(logs)) {
                assertTrue(files.filter(f -> f.getFileName().toString().endsWith(".gz")).count() >= 3, "logrotate compressed rotations");
            }
            Map<String, long[]> truth = RawLogCount.perWindowAndStatus(logs, "access.log");
            assertEquals(ClusterChecks.render(writer.truth()), ClusterChecks.render(truth), "the files hold every line written");
            Map<String, Map<String, Long>> buckets = new TreeMap<>();
            Map<String, long[]> seen = awaitTotals(kafkaPort, truth, buckets, Duration.ofSeconds(240));
            assertEquals(ClusterChecks.render(truth), ClusterChecks.render(seen), "requests and bytes per (window, status)");
            for (RawLatencyCount.Field field : RawLatencyCount.Field.values()) {
                String name = field.name().toLowerCase(java.util.Locale.ROOT) + "_histogram";
                assertEquals(RawLatencyCount.buckets(logs, "access.log", field, 60_000, 0.01, 0.001), buckets.getOrDefault(name, Map.of()),
                        name + " counts per (window, status, bucket)");
            }
            // where the new worker resumed (for people reading the output; the totals above are the test)
            try (var lines = Files.lines(kafka.state().resolve("logs/worker-2.log"))) {
                lines.filter(l -> l.contains("Tailing ")).forEach(l -> System.out.println("worker-2: " + l.replaceAll(".*Tailing ", "Tailing ")));
            }
        }
    }

    private static JsonNode connectorConfig(Path logs) {
        ObjectNode c = JSON.createObjectNode();
        c.put("name", CONNECTOR);
        c.put("connector.class", "io.logbunker.connect.source.AccessLogSourceConnector");
        c.put("tasks.max", "1");
        c.put("exactly.once.support", "required");
        c.put("files", logs + "/access.log*");
        c.put("topic", TOPIC);
        c.put("group.by", "status");
        c.put("log.format", LogWriter.LATENCY_FORMAT);
        c.put("metrics", "request_time:histogram;upstream_response_time:histogram");
        c.put("window.size.ms", "60000");
        c.put("window.grace.ms", "0");
        c.put("flush.idle.ms", "300");
        c.put("files.scan.interval.ms", "200");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter.schemas.enable", "false");
        return c;
    }

    private void rest(String url, String method, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 300, method + " " + path + ": " + r.statusCode() + " " + r.body());
    }

    private static void awaitTaskState(LocalKafka kafka, String url, String state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = kafka.taskState(url, CONNECTOR);
            if (state.equals(seen)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the task of " + CONNECTOR + " is " + seen + ", not " + state);
    }

    private static void awaitTaskRunningOn(LocalKafka kafka, String url, String workerSuffix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode task = null;
        while (System.nanoTime() < deadline) {
            task = kafka.getJson(url, "/connectors/" + CONNECTOR + "/status").path("tasks").path(0);
            if ("RUNNING".equals(task.path("state").asText()) && task.path("worker_id").asText().endsWith(workerSuffix)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the task did not move to the worker " + workerSuffix + ": " + task);
    }

    private static void awaitConnectorState(LocalKafka kafka, String url, String state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = kafka.getJson(url, "/connectors/" + CONNECTOR + "/status").path("connector").path("state").asText();
            if (state.equals(seen)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(CONNECTOR + " is " + seen + ", not " + state);
    }

    private static Map<String, long[]> awaitTotals(int kafkaPort, Map<String, long[]> truth, Map<String, Map<String, Long>> buckets,
                                                   Duration timeout) throws Exception {
        Map<String, long[]> seen = new TreeMap<>();
        Properties props = new Properties();
        props.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
        props.put("isolation.level", "read_committed");
        props.put("auto.offset.reset", "earliest");
        props.put("group.id", "verify-" + System.nanoTime());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            while (System.nanoTime() < deadline && !ClusterChecks.render(truth).equals(ClusterChecks.render(seen))) {
                add(seen, buckets, consumer);
            }
            // a little longer: a duplicate arriving after the totals matched must show
            long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < quietUntil) {
                add(seen, buckets, consumer);
            }
        }
        return seen;
    }

    private static void add(Map<String, long[]> seen, Map<String, Map<String, Long>> buckets, KafkaConsumer<byte[], byte[]> consumer)
            throws Exception {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            JsonNode v = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8));
            String key = v.get("window_start").asLong() + "|" + v.get("status").asText();
            long[] acc = seen.computeIfAbsent(key, x -> new long[2]);
            acc[0] += v.get("requests").asLong();
            acc[1] += v.get("bytes_sent").asLong();
            for (String field : List.of("request_time_histogram", "upstream_response_time_histogram")) {
                // JsonConverter writes a map with int32 keys as an array of [bucket, count] pairs
                for (JsonNode pair : v.path(field)) {
                    buckets.computeIfAbsent(field, x -> new TreeMap<>()).merge(key + "|" + pair.get(0).asInt(), pair.get(1).asLong(), Long::sum);
                }
            }
        }
    }
}
