package io.logbunker.connect.e2e;

import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A KRaft broker and Connect workers with exactly-once source support whose only access to LogBunker is the
 * packaged plugin directories on plugin.path, plus helpers to configure the pipeline and read the table back.
 */
final class PipelineCluster implements AutoCloseable {
    static final String SOURCE_CLASS = "io.logbunker.connect.source.AccessLogSourceConnector";
    static final String SINK_CLASS = "io.logbunker.connect.sink.AggregateUpsertSinkConnector";

    final EmbeddedConnectCluster connect;
    final TestDatabase pg = TestDatabase.postgres();

    PipelineCluster(String name, int workers) {
        String pluginPath = System.getProperty("logbunker.pluginPath");
        for (String dir : pluginPath.split(",")) {
            if (!Files.isDirectory(Paths.get(dir))) {
                throw new IllegalStateException("plugin directory " + dir + " is missing: run 'mvn package' (bin/test does) first");
            }
        }
        try {
            Class.forName(SOURCE_CLASS);
            throw new IllegalStateException("the source connector is on the test class path; this test must load it from plugin.path only");
        } catch (ClassNotFoundException expected) {
            // good: only plugin.path can provide it
        }
        connect = ClusterChecks.startEosCluster(name, workers, Map.of("plugin.path", pluginPath, "plugin.discovery", "service_load",
                "offset.flush.interval.ms", "2000"));
    }

    static final String COMPACT = "io.logbunker.connect.converter.CompactConverter";

    Map<String, String> source(String files, String format, String topic, String errorsTopic) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", SOURCE_CLASS);
        c.put("tasks.max", "1");
        c.put("files", files);
        c.put("log.format", format);
        c.put("group.by", "status");
        c.put("topic", topic);
        c.put("errors.topic", errorsTopic);
        c.put("window.grace.ms", "0");
        c.put("flush.idle.ms", "500");
        c.put("files.scan.interval.ms", "200");
        c.put("exactly.once.support", "required");
        // the converters connect-configs/ recommends: rejected lines as their bytes, aggregates in the compact format
        c.put("key.converter", COMPACT);
        c.put("value.converter", "io.logbunker.connect.source.RejectedLinesRawConverter");
        c.put("value.converter.delegate", COMPACT);
        return c;
    }

    Map<String, String> sink(String jdbcUrl, String topic, String table, String connectorName) {
        Map<String, String> c = new HashMap<>(pg.sinkConfig(connectorName));
        c.put("connector.class", SINK_CLASS);
        c.put("connection.url", jdbcUrl);
        c.put("connection.timeout.ms", "2000");
        c.put("retry.backoff.ms", "500");
        c.put("topics", topic);
        c.put("table.name.format", table);
        c.put("tasks.max", "1");
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("key.converter", COMPACT);
        c.put("value.converter", COMPACT);
        return c;
    }

    /**
     * Waits until the table holds {@code requests}, gives a duplicate 3 s to show, stops the failure watcher; then no
     * task may have failed and the table must equal the truth per (window_start, status).
     */
    void assertTableEqualsTruth(String table, Map<String, long[]> truth, long requests, AtomicBoolean watching, Thread watcher,
                                AtomicReference<String> failed) throws Exception {
        pg.awaitRequests(table, requests, Duration.ofSeconds(180));
        TimeUnit.SECONDS.sleep(3); // anything arriving now would be a duplicate; compare after it had its chance
        watching.set(false);
        watcher.join();
        assertNull(failed.get(), "a task went FAILED");
        assertEquals(ClusterChecks.render(truth), ClusterChecks.render(pg.totalsByWindowAndStatus(table)),
                "requests and bytes_sent per (window_start, status)");
    }

    static Path realLogs() {
        return Paths.get(System.getProperty("logbunker.realLogs", "../../shared/data/real-logs"));
    }

    @Override
    public void close() {
        connect.stop();
    }
}
