package io.logbunker.connect.sink.it;

import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.TcpProxy;
import io.logbunker.connect.sink.AggregateUpsertSinkConnector;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.junit.jupiter.api.TestInstance;

/**
 * The sink on a real KRaft broker and a real Connect worker, into real PostgreSQL through a TCP proxy that the
 * test cuts for 30 seconds mid-stream, with connector restarts and an operator rewinding the consumer offsets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AggregateUpsertSinkIT {
    // unique per run: the offsets table outlives the embedded broker, whose topics start at offset 0 again
    private static final String CONNECTOR = "aggregate-sink-" + System.currentTimeMillis();
    private static final String TOPIC = "partials";
    private static final String DLQ = "partials-dlq";
    private static final int RECORDS = 100_000;
    private static final long W0 = 1_795_860_000_000L;

    private EmbeddedConnectCluster connect;
    private TcpProxy proxy;
    private final TestDatabase pg = TestDatabase.postgres();

    @BeforeAll
    void start() throws Exception {
        URI target = URI.create(pg.url().substring("jdbc:".length()));
        proxy = new TcpProxy(target.getPort() < 0 ? 5432 : target.getPort());
        Map<String, String> worker = new HashMap<>();
        worker.put("connector.client.config.override.policy", "All");
        worker.put("offset.flush.interval.ms", "2000");
        // Kafka's file config provider: a connector config can name a secret in a file instead of holding it
        worker.put("config.providers", "file");
        worker.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        connect = new EmbeddedConnectCluster.Builder().name("sink-it").numWorkers(1).workerProps(worker).brokerProps(broker).build();
        connect.start();
        connect.kafka().createTopic(TOPIC, 3);
        pg.dropTable(TOPIC);
    }

    @AfterAll
    void stop() throws SQLException {
        if (connect != null) {
            connect.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        pg.dropTable(TOPIC);
    }

    private Map<String, String> sinkConfig() {
        URI target = URI.create(pg.url().substring("jdbc:".length()));
        Map<String, String> c = new HashMap<>(pg.sinkConfig(CONNECTOR));
        c.put("connector.class", AggregateUpsertSinkConnector.class.getName());
        c.put("connection.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + target.getPath());
        c.put("connection.timeout.ms", "2000");
        c.put("retry.backoff.ms", "500");
        c.put("topics", TOPIC);
        c.put("tasks.max", "2");
        c.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", DLQ);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("consumer.override.max.poll.records", "2000");
        return c;
    }

    private static final String KEY_SCHEMA = "{\"type\":\"struct\",\"name\":\"k\",\"optional\":false,\"fields\":["
            + "{\"field\":\"window_start\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,\"optional\":false,\"parameters\":{\"merge\":\"key\"}},"
            + "{\"field\":\"status\",\"type\":\"string\",\"optional\":false,\"parameters\":{\"merge\":\"key\"}}]}";
    private static final String VALUE_SCHEMA = "{\"type\":\"struct\",\"name\":\"v\",\"optional\":false,\"fields\":["
            + "{\"field\":\"window_start\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1,\"optional\":false,\"parameters\":{\"merge\":\"key\"}},"
            + "{\"field\":\"status\",\"type\":\"string\",\"optional\":false,\"parameters\":{\"merge\":\"key\"}},"
            + "{\"field\":\"requests\",\"type\":\"int64\",\"optional\":false,\"parameters\":{\"merge\":\"sum\"}},"
            + "{\"field\":\"bytes_sent\",\"type\":\"int64\",\"optional\":false,\"parameters\":{\"merge\":\"sum\"}}]}";

    @Test
    void exactTotalsThroughAThirtySecondOutageRestartsAndRewindsWithMalformedRecordsInTheDlq() throws Exception {
        Map<String, long[]> truth = new TreeMap<>();
        Set<String> malformed = new HashSet<>();
        Random r = new Random(42);
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put("acks", "all");
        producerProps.put("linger.ms", "5");
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(producerProps)) {
            int half = RECORDS / 2;
            produce(producer, 0, half, r, truth, malformed);

            connect.configureConnector(CONNECTOR, sinkConfig());
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 2, "sink did not start");
            AtomicBoolean watching = new AtomicBoolean(true);
            AtomicReference<String> failure = new AtomicReference<>();
            Thread watcher = ClusterChecks.failureWatcher(connect, watching, failure, CONNECTOR);
            watcher.start();
            try {
                pg.awaitRequests(TOPIC, 1, Duration.ofSeconds(60));
                proxy.cut();
                produce(producer, half, RECORDS, r, truth, malformed); // the stream goes on while the database is away
                TimeUnit.SECONDS.sleep(30); // the outage itself: this pause is the scenario, not an assertion
                proxy.restore();

                connect.restartConnectorAndTasks(CONNECTOR, false, true, false);
                connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 2, "sink did not come back");

                // an operator rewinds the consumer to the beginning: everything is redelivered
                connect.stopConnector(CONNECTOR);
                connect.assertions().assertConnectorIsStopped(CONNECTOR, "sink did not stop");
                connect.resetConnectorOffsets(CONNECTOR);
                connect.resumeConnector(CONNECTOR);
                connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 2, "sink did not resume");

                long expectedRequests = truth.values().stream().mapToLong(v -> v[0]).sum();
                pg.awaitRequests(TOPIC, expectedRequests, Duration.ofSeconds(180));
                TimeUnit.SECONDS.sleep(3); // let any duplicate that would wrongly arrive, arrive
            } finally {
                watching.set(false);
                watcher.join();
            }
            assertNull(failure.get(), "a task went FAILED");
            assertEquals(ClusterChecks.render(truth), ClusterChecks.render(pg.totalsByWindowAndStatus(TOPIC)), "table totals per (window_start, status)");
            assertEquals(malformed, dlqPositions(malformed.size()), "the DLQ holds the malformed records and only those");
        }
    }

    @Test
    void validateEndpointNamesEachBadField() {
        Map<String, String> c = sinkConfig();
        c.put("connection.url", "postgres://127.0.0.1/test");
        c.put("merge.fields", "requests:sum,bytes_sent:average");
        org.apache.kafka.connect.runtime.rest.entities.ConfigInfos infos =
                connect.validateConnectorConfig(AggregateUpsertSinkConnector.class.getSimpleName(), c);
        assertTrue(errors(infos, "connection.url").get(0).contains("not a JDBC URL"), errors(infos, "connection.url").toString());
        assertTrue(errors(infos, "merge.fields").get(0).contains("average"), errors(infos, "merge.fields").toString());

        c.put("connection.url", "jdbc:oracle:thin:@db:1521/x");
        c.put("merge.fields", "requests:sum");
        infos = connect.validateConnectorConfig(AggregateUpsertSinkConnector.class.getSimpleName(), c);
        assertTrue(errors(infos, "connection.url").get(0).contains("unsupported database"), errors(infos, "connection.url").toString());
        assertTrue(errors(infos, "merge.fields").isEmpty());

        c.put("connection.url", "jdbc:postgresql://127.0.0.1:1/test");
        c.put("connection.password", "s3cr3t-never-shown");
        infos = connect.validateConnectorConfig(AggregateUpsertSinkConnector.class.getSimpleName(), c);
        String unreachable = errors(infos, "connection.url").get(0);
        assertTrue(unreachable.contains("Cannot reach the database"), unreachable);
        assertTrue(!infos.toString().contains("s3cr3t-never-shown"), "the password never appears in the validate response");

        c.put("connection.check.on.validate", "false");
        infos = connect.validateConnectorConfig(AggregateUpsertSinkConnector.class.getSimpleName(), c);
        assertTrue(errors(infos, "connection.url").isEmpty());

        // a consumer that reads uncommitted records would add the records of aborted source transactions
        c.put("consumer.override.isolation.level", "read_uncommitted");
        infos = connect.validateConnectorConfig(AggregateUpsertSinkConnector.class.getSimpleName(), c);
        String isolation = errors(infos, "consumer.override.isolation.level").toString();
        assertTrue(isolation.contains("must be read_committed") && isolation.contains("aborted"), isolation);
        assertEquals(1, infos.errorCount(), infos.toString());
        c.put("consumer.override.isolation.level", "read_committed");
        infos = connect.validateConnectorConfig(AggregateUpsertSinkConnector.class.getSimpleName(), c);
        assertEquals(0, infos.errorCount(), infos.toString());

        // the listed topic's table name is longer than PostgreSQL allows: reported on the setting that makes it
        c.put("table.name.format", "metrics_of_${topic}_" + "x".repeat(60));
        infos = connect.validateConnectorConfig(AggregateUpsertSinkConnector.class.getSimpleName(), c);
        String tooLong = errors(infos, "table.name.format").toString();
        assertTrue(tooLong.contains("the table for topic '" + TOPIC + "'") && tooLong.contains("longer than PostgreSQL allows (63)"),
                tooLong);
    }

    /**
     * A password given through Kafka's FileConfigProvider works and stays out of the stored config; a wrong one fails
     * the task with a trace; neither ever appears in a log line, a task trace or a validate response. MariaDB, because
     * the local PostgreSQL trusts every password.
     */
    @Test
    void passwordsStayOutOfLogsTracesAndValidationAndAConfigProviderKeepsThemOutOfTheStoredConfig(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        TestDatabase maria = TestDatabase.mariadb();
        String secret = "pw-S3cr3t-" + System.nanoTime();
        String wrong = "wrong-S3cr3t-" + System.nanoTime();
        String table = "secrets_" + System.nanoTime();
        try (java.sql.Connection c = maria.connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("DROP USER IF EXISTS 'lb_secret'@'%'");
            st.execute("DROP USER IF EXISTS 'lb_secret'@'localhost'");
            st.execute("CREATE USER 'lb_secret'@'%' IDENTIFIED BY '" + secret + "'");
            st.execute("CREATE USER 'lb_secret'@'localhost' IDENTIFIED BY '" + secret + "'");
            st.execute("GRANT ALL ON test.* TO 'lb_secret'@'%'");
            st.execute("GRANT ALL ON test.* TO 'lb_secret'@'localhost'");
        }
        java.nio.file.Path secretFile = dir.resolve("db.properties");
        java.nio.file.Files.writeString(secretFile, "password=" + secret + "\n");
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream originalErr = System.err;
        java.io.PrintStream originalOut = System.out;
        System.setErr(new java.io.PrintStream(new TeeStream(originalErr, captured), true));
        System.setOut(new java.io.PrintStream(new TeeStream(originalOut, captured), true));
        connect.kafka().createTopic(table, 1);
        try {
            Map<String, String> c = new HashMap<>();
            c.put("connector.class", AggregateUpsertSinkConnector.class.getName());
            c.put("connection.url", maria.url());
            c.put("connection.user", "lb_secret");
            c.put("connection.password", "${file:" + secretFile + ":password}");
            c.put("topics", table);
            c.put("offsets.table.name", table + "_offsets");
            c.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
            c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            connect.configureConnector("with-provider", c);
            try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(table, 0, envelope(KEY_SCHEMA, "{\"window_start\":" + W0 + ",\"status\":\"200\"}"),
                            envelope(VALUE_SCHEMA, payload(W0, "200", 2, 10)))).get();
                }
            }
            maria.awaitRequests(table, 6, Duration.ofSeconds(60));
            String stored = String.valueOf(connect.requestGet(connect.endpointForResource("connectors/with-provider/config")).getEntity());
            assertTrue(stored.contains("${file:") && !stored.contains(secret), "GET /connectors/<name>/config: " + stored);

            c.put("connection.password", wrong);
            org.apache.kafka.connect.runtime.rest.entities.ConfigInfos infos =
                    connect.validateConnectorConfig(AggregateUpsertSinkConnector.class.getSimpleName(), c);
            String refused = errors(infos, "connection.url").get(0);
            assertTrue(refused.contains("Cannot reach the database"), refused);
            assertTrue(!infos.toString().contains(wrong), "validate response");
            c.put("connection.check.on.validate", "false");
            connect.configureConnector("with-wrong-password", c);
            String trace = awaitFailedTaskTrace("with-wrong-password");
            assertTrue(trace.contains("Access denied") && trace.contains("connection.password"), trace);
            assertTrue(!trace.contains(wrong), "task trace: " + trace);
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
            for (String name : new String[] {"with-provider", "with-wrong-password"}) {
                try {
                    connect.deleteConnector(name);
                } catch (RuntimeException e) {
                    // not created
                }
            }
            maria.dropTable(table);
            maria.dropTable(table + "_offsets");
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertTrue(logs.contains("lb_secret"), "the logs were captured");
        assertTrue(!logs.contains(secret) && !logs.contains(wrong), "a password in the worker's log output");
    }

    private String awaitFailedTaskTrace(String connector) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                var tasks = connect.connectorStatus(connector).tasks();
                if (!tasks.isEmpty() && "FAILED".equals(tasks.get(0).state())) {
                    return tasks.get(0).trace();
                }
            } catch (RuntimeException e) {
                // not there yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the task of " + connector + " did not fail within 60 s");
    }

    /** Writes to two streams: the console, and a buffer the test reads. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }

    private static java.util.List<String> errors(org.apache.kafka.connect.runtime.rest.entities.ConfigInfos infos, String name) {
        java.util.List<org.apache.kafka.connect.runtime.rest.entities.ConfigValueInfo> values = infos.configs().stream()
                .map(i -> i.configValue()).filter(v -> v.name().equals(name)).toList();
        if (values.isEmpty()) {
            throw new AssertionError("no config value " + name);
        }
        return values.stream().flatMap(v -> v.errors().stream()).toList();
    }

    /**
     * A database that loses transactions it acknowledged under running tasks (here: a backup restored, as after a
     * failover to an asynchronous replica): the tasks notice that the stored offsets went back, seek there, and the
     * real worker delivers the lost records again, so the table ends exact.
     */
    @Test
    void aDatabaseRestoredUnderRunningTasksEndsExactFromTheRecordsKafkaStillHolds() throws Exception {
        String topic = "lossy";
        String connector = "lossy-sink-" + System.currentTimeMillis();
        String offsets = "logbunker_sink_offsets";
        String mine = " WHERE connector_name = '" + connector + "'";
        connect.kafka().createTopic(topic, 3);
        pg.dropTable(topic);
        pg.dropTable(topic + "_b");
        pg.dropTable(topic + "_o");
        Map<String, String> config = sinkConfig();
        config.putAll(pg.sinkConfig(connector));
        config.put("topics", topic);
        config.put("errors.deadletterqueue.topic.name", topic + "-dlq");
        Map<String, long[]> truth = new TreeMap<>();
        Random r = new Random(7);
        try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of("acks", "all"));
             java.sql.Connection c = pg.connect(); java.sql.Statement st = c.createStatement()) {
            produce(producer, topic, 0, 10_000, r, truth, null);
            connect.configureConnector(connector, config);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 2, "sink did not start");
            pg.awaitRequests(topic, truth.values().stream().mapToLong(v -> v[0]).sum(), Duration.ofSeconds(120));
            awaitStoredOffsets(connector, 10_000);
            st.execute("CREATE TABLE " + topic + "_b AS SELECT * FROM " + topic);
            st.execute("CREATE TABLE " + topic + "_o AS SELECT * FROM " + offsets + mine);
            long before = truth.values().stream().mapToLong(v -> v[0]).sum();

            produce(producer, topic, 10_000, 20_000, r, truth, null);
            pg.awaitRequests(topic, truth.values().stream().mapToLong(v -> v[0]).sum(), Duration.ofSeconds(120));
            awaitStoredOffsets(connector, 20_000);
            st.execute("DELETE FROM " + topic); // the database loses the second half
            st.execute("INSERT INTO " + topic + " SELECT * FROM " + topic + "_b");
            st.execute("DELETE FROM " + offsets + mine);
            st.execute("INSERT INTO " + offsets + " SELECT * FROM " + topic + "_o");
            assertEquals(before, pg.sumRequests(topic));

            produce(producer, topic, 20_000, 30_000, r, truth, null);
            pg.awaitRequests(topic, truth.values().stream().mapToLong(v -> v[0]).sum(), Duration.ofSeconds(120));
            awaitStoredOffsets(connector, 30_000); // every record applied: a duplicate would show in the totals now
            assertEquals(ClusterChecks.render(truth), ClusterChecks.render(pg.totalsByWindowAndStatus(topic)),
                    "table totals per (window_start, status)");
        } finally {
            connect.deleteConnector(connector);
            pg.dropTable(topic + "_b");
            pg.dropTable(topic + "_o");
            pg.dropTable(topic);
        }
    }

    /** Waits until the connector's stored next offsets add up to {@code records} (partitions without gaps). */
    private void awaitStoredOffsets(String connector, long records) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long sum = -1;
        while (System.nanoTime() < deadline) {
            sum = pg.scalarLong("SELECT COALESCE(SUM(next_offset), 0) FROM logbunker_sink_offsets WHERE connector_name = '"
                    + connector + "'");
            if (sum == records) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("stored offsets add up to " + sum + ", not " + records);
    }

    private void produce(KafkaProducer<byte[], byte[]> producer, int from, int to, Random r, Map<String, long[]> truth,
                         Set<String> malformed) throws Exception {
        produce(producer, TOPIC, from, to, r, truth, malformed);
    }

    /** {@code malformed} null: only good records. */
    private void produce(KafkaProducer<byte[], byte[]> producer, String topic, int from, int to, Random r, Map<String, long[]> truth,
                         Set<String> malformed) throws Exception {
        for (int i = from; i < to; i++) {
            int partition = i % 3;
            if (malformed != null && i % 5000 == 4999) {
                // malformed: no key, or a value that is not a Struct
                byte[] value = i % 2 == 0
                        ? envelope("{\"type\":\"string\",\"optional\":false}", "\"oops\"")
                        : envelope(VALUE_SCHEMA, payload(W0, "200", 1, 1));
                byte[] key = i % 2 == 0 ? envelope(KEY_SCHEMA, "{\"window_start\":" + W0 + ",\"status\":\"200\"}") : null;
                var meta = producer.send(new ProducerRecord<>(topic, partition, key, value)).get();
                malformed.add(meta.partition() + "/" + meta.offset());
                continue;
            }
            long window = W0 + (i % 50) * 60_000L;
            String status = String.valueOf(new int[] {200, 204, 301, 404, 500}[i % 5]);
            long requests = 1 + r.nextInt(10);
            long bytes = r.nextInt(100_000);
            long[] acc = truth.computeIfAbsent(window + "|" + status, k -> new long[2]);
            acc[0] += requests;
            acc[1] += bytes;
            producer.send(new ProducerRecord<>(topic, partition,
                    envelope(KEY_SCHEMA, "{\"window_start\":" + window + ",\"status\":\"" + status + "\"}"),
                    envelope(VALUE_SCHEMA, payload(window, status, requests, bytes))));
        }
        producer.flush();
    }

    private static String payload(long window, String status, long requests, long bytes) {
        return "{\"window_start\":" + window + ",\"status\":\"" + status + "\",\"requests\":" + requests + ",\"bytes_sent\":" + bytes + "}";
    }

    private static byte[] envelope(String schema, String payload) {
        return ("{\"schema\":" + schema + ",\"payload\":" + payload + "}").getBytes(StandardCharsets.UTF_8);
    }

    private Set<String> dlqPositions(int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put("auto.offset.reset", "earliest");
        props.put("group.id", "dlq-check-" + System.nanoTime());
        Set<String> positions = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumerAndSubscribeTo(props, DLQ)) {
            int quiet = 0;
            while (System.nanoTime() < deadline && (positions.size() < expected || quiet < 4)) {
                int got = 0;
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    got++;
                    positions.add(header(rec, "__connect.errors.partition") + "/" + header(rec, "__connect.errors.offset"));
                }
                quiet = got == 0 ? quiet + 1 : 0;
            }
        }
        return positions;
    }

    private static String header(ConsumerRecord<byte[], byte[]> rec, String name) {
        Header h = rec.headers().lastHeader(name);
        return h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
    }

}
