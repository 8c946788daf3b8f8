package io.logbunker.connect.source.it;

import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.Logrotate;
import io.logbunker.connect.testkit.RawLogCount;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logbunker.connect.source.AccessLogSourceConnector;
import io.logbunker.connect.source.RejectedLinesRawConverter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source connector on a real KRaft broker and two real distributed workers with exactly-once source
 * support, driven through the REST API only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessLogSourceIT {
    private static final String CONNECTOR = "access-log-source";
    private static final String TOPIC = "access-metrics";
    private static final String ERRORS = "access-errors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedConnectCluster connect;

    @BeforeAll
    void startCluster() {
        connect = ClusterChecks.startEosCluster("source-it", 2, Map.of("key.converter.schemas.enable", "false",
                "value.converter.schemas.enable", "false"));
        connect.kafka().createTopic(TOPIC, 3);
        connect.kafka().createTopic(ERRORS, 1);
    }

    @AfterAll
    void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
    }

    private Map<String, String> connectorConfig(Path dir) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", AccessLogSourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("files", dir.toAbsolutePath() + "/access.log*");
        c.put("topic", TOPIC);
        c.put("errors.topic", ERRORS);
        c.put("log.format", "combined");
        c.put("group.by", "status");
        c.put("window.size.ms", "60000");
        c.put("window.grace.ms", "0");
        c.put("flush.idle.ms", "300");
        c.put("files.scan.interval.ms", "200");
        c.put("files.release.idle.ms", "5000");
        c.put("exactly.once.support", "required");
        // rejected lines reach the errors topic as their own bytes; the aggregates stay JSON
        c.put("value.converter", RejectedLinesRawConverter.class.getName());
        c.put("value.converter.schemas.enable", "false");
        return c;
    }

    @Test
    void exactTotalsThroughRotationsRestartsAndWorkerFailover(@TempDir Path dir) throws Exception {
        LogWriter writer = new LogWriter(dir.resolve("access.log"), 7);
        writer.writeLines(2000);
        connect.configureConnector(CONNECTOR, connectorConfig(dir));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 1, "source did not start");

        writer.startAppending(200, 20);
        try {
            TimeUnit.SECONDS.sleep(2); // let lines flow: these waits pace the scenario, nothing is asserted on them
            writer.rotate(dir.resolve("access.log.1"), 150);
            TimeUnit.SECONDS.sleep(2);
            connect.restartConnectorAndTasks(CONNECTOR, false, true, false);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 1, "source did not come back after restart");
            TimeUnit.SECONDS.sleep(1);
            java.nio.file.Files.move(dir.resolve("access.log.1"), dir.resolve("access.log.2"));
            writer.rotate(dir.resolve("access.log.1"), 150);
            TimeUnit.SECONDS.sleep(1);

            // the worker that runs the task goes away (a dead host); the task moves to the other worker
            WorkerHandle running = ClusterChecks.workerRunning(connect, CONNECTOR);
            connect.removeWorker(running);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 1, "task did not move to the other worker");
            TimeUnit.SECONDS.sleep(2);
            connect.addWorker();
            connect.assertions().assertAtLeastNumWorkersAreUp(2, "the replacement worker did not join");
        } finally {
            writer.stopAndClose();
        }

        Map<String, long[]> truth = writer.truth();
        Map<String, long[]> seen = awaitTotals(truth, Duration.ofSeconds(120));
        assertEquals(ClusterChecks.render(truth), ClusterChecks.render(seen), "requests and bytes per (window, status)");
        List<String> rejected = ClusterChecks.readValues(connect, ERRORS, writer.badLines()).stream()
                .map(v -> new String(v, java.nio.charset.StandardCharsets.ISO_8859_1)).toList();
        assertEquals(writer.badLines(), rejected.size(), "one errors-topic record per bad line");
        assertTrue(rejected.stream().allMatch(v -> v.matches("BAD LINE \\d+ \\\\x16\\\\x03")), "raw bytes of the bad lines: "
                + rejected.stream().limit(3).toList());
        ConnectorStateInfo status = connect.connectorStatus(CONNECTOR);
        assertEquals("RUNNING", status.tasks().get(0).state());
        connect.deleteConnector(CONNECTOR);
    }

    /**
     * Debian's nginx logrotate policy (compress, delaycompress) run by the real logrotate: the connector is stopped
     * through REST across three rotations, so the unread rest of a file is only inside its .gz when it resumes, and the
     * worker running the task goes away while it reads the compressed rotations. The totals per (window, status) equal
     * the truth counted from every file, decompressed, by a regular expression of the test's own.
     */
    @Test
    void compressedRotationsWhileStoppedAndAWorkerLossLoseAndRepeatNothing(@TempDir Path dir) throws Exception {
        String name = "gz-source";
        String topic = "access-metrics-gz";
        connect.kafka().createTopic(topic, 1);
        Logrotate logrotate = new Logrotate(dir.resolve("access.log"));
        LogWriter writer = new LogWriter(dir.resolve("access.log"), 3);
        writer.writeLines(5000);
        Map<String, String> c = connectorConfig(dir);
        c.put("topic", topic);
        c.remove("errors.topic");
        connect.configureConnector(name, c);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "source did not start");
        writer.startAppending(400, 20);
        try {
            TimeUnit.SECONDS.sleep(1); // these waits pace the scenario; nothing is asserted on them
            logrotate.rotate(writer);
            TimeUnit.SECONDS.sleep(1);
            connect.stopConnector(name); // PUT /connectors/gz-source/stop
            connect.assertions().assertConnectorIsStopped(name, "the connector did not stop");
            for (int rotation = 0; rotation < 3; rotation++) {
                TimeUnit.SECONDS.sleep(1);
                logrotate.rotate(writer);
            }
            TimeUnit.SECONDS.sleep(1);
            connect.resumeConnector(name);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "source did not resume");
            WorkerHandle running = ClusterChecks.workerRunning(connect, name);
            connect.removeWorker(running); // while it reads the rotations compressed meanwhile
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "task did not move to the other worker");
            connect.addWorker();
            TimeUnit.SECONDS.sleep(1);
            logrotate.rotate(writer);
            TimeUnit.SECONDS.sleep(1);
        } finally {
            writer.stopAndClose();
        }
        List<Path> compressed;
        try (var files = java.nio.file.Files.list(dir)) {
            compressed = files.filter(f -> f.getFileName().toString().endsWith(".gz")).toList();
        }
        assertTrue(compressed.size() >= 3, "logrotate compressed the older rotations: " + compressed);
        Map<String, long[]> truth = RawLogCount.perWindowAndStatus(dir, "access.log");
        assertEquals(ClusterChecks.render(writer.truth()), ClusterChecks.render(truth), "the files hold every line written");
        Map<String, long[]> seen = awaitTotals(topic, truth, Duration.ofSeconds(180));
        assertEquals(ClusterChecks.render(truth), ClusterChecks.render(seen), "requests and bytes per (window, status)");
        connect.deleteConnector(name);
    }

    @Test
    void validateEndpointNamesEachBadField() {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", AccessLogSourceConnector.class.getName());
        c.put("topic", TOPIC);
        c.put("files", "relative/path/*.log,/var/log/[a-");
        c.put("group.by", "status,no_such_field");
        ConfigInfos ok = connect.validateConnectorConfig(AccessLogSourceConnector.class.getSimpleName(), c);
        assertEquals(1, errors(ok, "group.by").size(), "group.by must be reported");
        assertTrue(errors(ok, "group.by").get(0).contains("no_such_field"), errors(ok, "group.by").toString());
        assertTrue(errors(ok, "files").get(0).contains("relative/path"), errors(ok, "files").toString());

        String tmp = System.getProperty("java.io.tmpdir");
        c.put("files", tmp + "/nginx/access.log*");
        c.put("log.format", "$remote_addr $status");
        ConfigInfos bad = connect.validateConnectorConfig(AccessLogSourceConnector.class.getSimpleName(), c);
        assertTrue(errors(bad, "log.format").get(0).contains("time variable"), errors(bad, "log.format").toString());
        assertTrue(errors(bad, "files").isEmpty());

        c.put("files", "/var/log/[a-");
        c.put("log.format", "combined");
        c.put("group.by", "status");
        ConfigInfos glob = connect.validateConnectorConfig(AccessLogSourceConnector.class.getSimpleName(), c);
        assertEquals(List.of("files"), fieldsWithErrors(glob).stream().filter(n -> !n.equals("name")).toList());
        assertTrue(errors(glob, "files").get(0).contains("not a valid glob"), errors(glob, "files").toString());

        // the worker allows only the temp directory (-Dlogbunker.allowed.paths, as an operator would set it)
        for (String outside : List.of("/etc/*.conf", tmp + "/../etc/passwd")) {
            c.put("files", outside);
            ConfigInfos refused = connect.validateConnectorConfig(AccessLogSourceConnector.class.getSimpleName(), c);
            assertEquals(List.of("files"), fieldsWithErrors(refused).stream().filter(n -> !n.equals("name")).toList());
            String error = errors(refused, "files").get(0);
            assertTrue(error.contains("outside the directories this Connect worker allows") && error.contains("LOGBUNKER_ALLOWED_PATHS"),
                    error);
        }
    }

    private static List<String> fieldsWithErrors(ConfigInfos infos) {
        return infos.configs().stream().filter(i -> !i.configValue().errors().isEmpty()).map(i -> i.configValue().name()).toList();
    }

    private static List<String> errors(ConfigInfos infos, String name) {
        for (ConfigInfo i : infos.configs()) {
            if (i.configValue().name().equals(name)) {
                return i.configValue().errors();
            }
        }
        throw new AssertionError("no config value " + name);
    }

    private Map<String, long[]> awaitTotals(Map<String, long[]> truth, Duration timeout) throws Exception {
        return awaitTotals(TOPIC, truth, timeout);
    }

    private Map<String, long[]> awaitTotals(String topic, Map<String, long[]> truth, Duration timeout) throws Exception {
        Map<String, long[]> seen = new TreeMap<>();
        Map<String, Object> props = new HashMap<>();
        props.put("isolation.level", "read_committed");
        props.put("auto.offset.reset", "earliest");
        props.put("group.id", "verify-" + System.nanoTime());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumerAndSubscribeTo(props, topic)) {
            while (System.nanoTime() < deadline && !ClusterChecks.render(truth).equals(ClusterChecks.render(seen))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode v = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8));
                    long[] acc = seen.computeIfAbsent(v.get("window_start").asLong() + "|" + v.get("status").asText(), x -> new long[2]);
                    acc[0] += v.get("requests").asLong();
                    acc[1] += v.get("bytes_sent").asLong();
                }
            }
            // anything more that arrives would be a duplicate: read a little longer and compare again
            for (int i = 0; i < 4; i++) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode v = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8));
                    long[] acc = seen.computeIfAbsent(v.get("window_start").asLong() + "|" + v.get("status").asText(), x -> new long[2]);
                    acc[0] += v.get("requests").asLong();
                    acc[1] += v.get("bytes_sent").asLong();
                }
            }
        }
        return seen;
    }

}
