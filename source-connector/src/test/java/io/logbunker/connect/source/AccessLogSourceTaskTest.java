package io.logbunker.connect.source;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Connect task with a faked context: the record contract, offsets, errors topic, metrics and alterOffsets. */
class AccessLogSourceTaskTest {
    @TempDir
    Path dir;

    private final Map<Map<String, ?>, Map<String, Object>> storage = new HashMap<>();
    private final Metrics metrics = new Metrics();
    private final MockTime time = new MockTime(0, 1_700_000_000_000L, 0);

    private SourceTaskContext context() {
        PluginMetrics pm = new PluginMetricsImpl(metrics, Map.of("connector", "c", "task", "0"));
        OffsetStorageReader reader = new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return storage.get(partition);
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                throw new UnsupportedOperationException();
            }
        };
        return new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return Map.of();
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return reader;
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return pm;
            }
        };
    }

    private Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put("files", dir.toAbsolutePath() + "/*.log");
        c.put("topic", "metrics");
        c.put("errors.topic", "errors");
        c.put("log.format", "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
                + "\"$http_user_agent\" $request_time");
        c.put("group.by", "status,arg_ev");
        c.put("host.name", "web-1");
        c.put("flush.idle.ms", "1000");
        c.put("poll.interval.ms", "1");
        return c;
    }

    private List<SourceRecord> pollAll(AccessLogSourceTask task) throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<SourceRecord> r = task.poll();
            if (r != null) {
                out.addAll(r);
            }
            time.sleep(600);
        }
        return out;
    }

    @Test
    void rowsPerRecordPacksAFlushsRowsIntoBatchRecordsWhoseRowsAreTheSingleRecordsValues() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 7; i++) { // 7 groups of one window, 2 lines each
            for (int copy = 0; copy < 2; copy++) {
                lines.append("1.1.1.1 - - [22/Nov/2026:10:00:0").append(i).append(" +0000] \"GET /t?ev=e").append(i)
                        .append(" HTTP/1.1\" 200 ").append(10 + copy).append(" \"-\" \"ua\" 0.01").append(copy).append('\n');
            }
        }
        Path log = dir.resolve("access.log");
        Files.writeString(log, lines);
        Map<String, Struct> single = new HashMap<>();
        AccessLogSourceTask one = new AccessLogSourceTask(time);
        one.initialize(context());
        one.start(config());
        for (SourceRecord r : pollAll(one)) {
            single.put(((Struct) r.value()).getString("arg_ev"), (Struct) r.value());
        }
        one.stop();
        assertEquals(7, single.size());

        storage.clear();
        Map<String, String> c = config();
        c.put("rows.per.record", "3");
        AccessLogSourceTask batched = new AccessLogSourceTask(time);
        batched.initialize(context());
        batched.start(c);
        List<SourceRecord> records = pollAll(batched);
        batched.stop();
        assertEquals(3, records.size(), "7 rows in records of 3, 3 and 1");
        Map<String, Struct> rows = new HashMap<>();
        List<Integer> sizes = new ArrayList<>();
        for (SourceRecord r : records) {
            assertEquals(null, r.key(), "a batch has no key: each row carries its own");
            assertEquals("io.logbunker.accesslog.AggregateBatch", r.valueSchema().name());
            assertEquals("rows", r.valueSchema().parameters().get("merge"));
            assertEquals(org.apache.kafka.connect.data.Schema.Type.ARRAY, r.valueSchema().type());
            org.apache.kafka.connect.data.ConnectSchema.validateValue(r.valueSchema(), r.value());
            assertEquals(Files.size(log), ((Number) r.sourceOffset().get("position")).longValue(), "every record carries the range end");
            List<?> values = (List<?>) r.value();
            sizes.add(values.size());
            for (Object v : values) {
                Struct row = (Struct) v;
                row.validate();
                rows.put(row.getString("arg_ev"), row);
            }
        }
        assertEquals(List.of(3, 3, 1), sizes);
        assertEquals(single, rows, "each row is the value its own record would have had");
    }

    @Test
    void recordsFollowTheContractAndCarryTheRangeEndAsOffset() throws Exception {
        Path log = dir.resolve("access.log");
        String l1 = "1.1.1.1 - - [22/Nov/2026:10:00:01 +0000] \"GET /t?ev=click&ad=1 HTTP/1.1\" 200 10 \"-\" \"ua\" 0.010\n";
        String l2 = "1.1.1.2 - - [22/Nov/2026:10:00:02 +0000] \"GET /t?ev=click&ad=2 HTTP/1.1\" 200 20 \"-\" \"ua\" 0.030\n";
        String bad = "nonsense\n";
        String l3 = "1.1.1.3 - - [22/Nov/2026:10:00:03 +0000] \"GET /t?ev=view HTTP/1.1\" 204 - \"-\" \"ua\" 0.002\n";
        Files.writeString(log, l1 + l2 + bad + l3);
        AccessLogSourceTask task = new AccessLogSourceTask(time);
        task.initialize(context());
        task.start(config());
        List<SourceRecord> records = pollAll(task);
        task.stop();

        List<SourceRecord> aggregates = records.stream().filter(r -> r.topic().equals("metrics")).toList();
        List<SourceRecord> errors = records.stream().filter(r -> r.topic().equals("errors")).toList();
        assertEquals(2, aggregates.size());
        assertEquals(1, errors.size());
        long end = Files.size(log);
        for (SourceRecord r : records) {
            assertEquals(end, ((Number) r.sourceOffset().get("position")).longValue(), "every record carries the range end");
            assertTrue(r.sourcePartition().get("fingerprint") instanceof String);
            assertTrue(r.sourceOffset().get("since") instanceof Long, "every offset records when these logs were first read");
        }
        SourceRecord click = aggregates.stream().filter(r -> ((Struct) r.key()).getString("arg_ev").equals("click")).findFirst().orElseThrow();
        Struct key = (Struct) click.key();
        Struct value = (Struct) click.value();
        assertEquals(List.of("window_start", "host", "status", "arg_ev"), click.keySchema().fields().stream().map(Field::name).toList());
        assertEquals(Timestamp.LOGICAL_NAME, click.keySchema().field("window_start").schema().name());
        assertEquals("web-1", key.getString("host"));
        assertEquals(2L, value.getInt64("requests"));
        assertEquals(30L, value.getInt64("bytes_sent"));
        assertEquals(0.040, value.getFloat64("request_time_sum"), 1e-12);
        assertEquals(0.010, value.getFloat64("request_time_min"), 1e-12);
        assertEquals(0.030, value.getFloat64("request_time_max"), 1e-12);
        assertEquals(60_000, ((java.util.Date) value.get("window_end")).getTime() - ((java.util.Date) value.get("window_start")).getTime());
        Map<String, String> merges = new HashMap<>();
        click.valueSchema().fields().forEach(f -> merges.put(f.name(), f.schema().parameters().get("merge")));
        assertEquals(Map.of("window_start", "key", "host", "key", "status", "key", "arg_ev", "key", "window_end", "max",
                "requests", "sum", "bytes_sent", "sum", "request_time_sum", "sum", "request_time_min", "min",
                "request_time_max", "max"), merges);

        SourceRecord err = errors.get(0);
        assertEquals("nonsense", new String((byte[]) err.value(), StandardCharsets.UTF_8));
        assertEquals(log.toString(), err.headers().lastWithName("logbunker.file").value());
        assertEquals((long) (l1 + l2).length(), err.headers().lastWithName("logbunker.offset").value());
        assertTrue(((String) err.headers().lastWithName("logbunker.reason").value()).length() > 5);
        assertEquals((long) "nonsense".length(), err.headers().lastWithName("logbunker.line.bytes").value());
    }

    @Test
    void theTailerSettingsBuilderDefaultsAreTheConnectorDefaults() {
        Map<String, String> minimal = new HashMap<>();
        minimal.put(AccessLogSourceConfig.FILES, System.getProperty("java.io.tmpdir") + "/access.log*");
        minimal.put(AccessLogSourceConfig.TOPIC, "m");
        minimal.put(AccessLogSourceConfig.TASK_INDEX, "0");
        minimal.put(AccessLogSourceConfig.TASK_COUNT, "1");
        assertEquals(io.logbunker.connect.source.tail.TailerSettings.builder().includes(List.of(System.getProperty("java.io.tmpdir") + "/access.log*"))
                        .allowedPaths(io.logbunker.connect.source.tail.AllowedPaths.fromEnvironment()).build(),
                new AccessLogSourceConfig(minimal).tailerSettings());
    }

    @Test
    void metricsCountLinesAndRestartResumesFromStoredOffset() throws Exception {
        Path log = dir.resolve("access.log");
        String line = "1.1.1.1 - - [22/Nov/2026:10:00:01 +0000] \"GET /t?ev=click HTTP/1.1\" 200 10 \"-\" \"ua\" 0.010\n";
        Files.writeString(log, line.repeat(10) + "junk\n");
        AccessLogSourceTask task = new AccessLogSourceTask(time);
        task.initialize(context());
        task.start(config());
        List<SourceRecord> first = pollAll(task);
        MetricName linesRead = metrics.metrics().keySet().stream().filter(m -> m.name().equals("lines-read-total")).findFirst().orElseThrow();
        MetricName rejected = metrics.metrics().keySet().stream().filter(m -> m.name().equals("lines-rejected-total")).findFirst().orElseThrow();
        MetricName files = metrics.metrics().keySet().stream().filter(m -> m.name().equals("files-tracked")).findFirst().orElseThrow();
        assertEquals(11.0, (Double) metrics.metrics().get(linesRead).metricValue());
        assertEquals(1.0, (Double) metrics.metrics().get(rejected).metricValue());
        assertEquals(1.0, (Double) metrics.metrics().get(files).metricValue());
        assertTrue(metrics.metrics().keySet().stream().anyMatch(m -> m.name().equals("file-bytes-behind")));
        task.stop();

        // Connect stored the offset of the last record; a new task resumes there
        SourceRecord last = first.get(first.size() - 1);
        storage.put(last.sourcePartition(), new HashMap<>(last.sourceOffset()));
        Files.writeString(log, line.repeat(5), StandardOpenOption.APPEND);
        AccessLogSourceTask again = new AccessLogSourceTask(time);
        again.initialize(context());
        again.start(config());
        List<SourceRecord> second = pollAll(again);
        again.stop();
        long requests = second.stream().filter(r -> r.topic().equals("metrics")).mapToLong(r -> ((Struct) r.value()).getInt64("requests")).sum();
        assertEquals(5, requests);
    }

    @Test
    void connectorSupportsExactlyOnceAndChecksOffsetsGivenThroughRest() {
        AccessLogSourceConnector c = new AccessLogSourceConnector();
        assertEquals(ExactlyOnceSupport.SUPPORTED, c.exactlyOnceSupport(Map.of()));
        Map<String, ?> partition = Map.of("fingerprint", "abc");
        assertTrue(c.alterOffsets(Map.of(), Map.of(partition, Map.of("position", 0L))));
        Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
        reset.put(partition, null);
        assertTrue(c.alterOffsets(Map.of(), reset));
        assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(), Map.of(partition, Map.of("position", -1L))));
        assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(), Map.of(partition, Map.of("position", "12"))));
        assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(), Map.of(partition, Map.of("position", 1L, "since", "x"))));
        assertTrue(c.alterOffsets(Map.of(), Map.of(partition, Map.of("position", 1L, "since", 1_700_000_000_000L))));
        assertThrows(ConnectException.class, () -> c.alterOffsets(Map.of(), Map.of(Map.of("file", "x"), Map.of("position", 1L))));
    }

    @Test
    void taskConfigsSpreadFilesOverTasksByIndex() {
        AccessLogSourceConnector c = new AccessLogSourceConnector();
        c.start(config());
        List<Map<String, String>> configs = c.taskConfigs(3);
        assertEquals(3, configs.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(String.valueOf(i), configs.get(i).get("task.index"));
            assertEquals("3", configs.get(i).get("task.count"));
        }
    }

    @Test
    void aHostNameThatIsNotTheMachinesNameIsReportedAtStart() {
        assertTrue(AccessLogSourceTask.hostMismatch("web-01", "web-02").orElseThrow().contains("runs on 'web-02'"));
        assertTrue(AccessLogSourceTask.hostMismatch("web-01", "web-01").isEmpty());
        assertTrue(AccessLogSourceTask.hostMismatch("web-01", "web-01.eu.example.com").isEmpty());
        assertTrue(AccessLogSourceTask.hostMismatch("", "web-02").isEmpty());
    }
}
