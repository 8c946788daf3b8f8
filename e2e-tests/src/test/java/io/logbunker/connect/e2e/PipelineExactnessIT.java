package io.logbunker.connect.e2e;

import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.RawLatencyCount;
import io.logbunker.connect.testkit.TcpProxy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance test of the product: file → source → Kafka → sink → PostgreSQL with the packaged plugins, two
 * workers and exactly-once source support, while a writer appends lines and everything that can go wrong does:
 * two rotations, the worker running the source dies (its task moves), both connectors restart through REST, and
 * the database is cut off for 20 seconds, with two sink tasks. The table must equal the truth counted from the raw
 * lines, exactly, and so must every bucket count of the request-time and upstream-time histograms; once with a
 * record per row and once with several rows per record.
 */
class PipelineExactnessIT {
    private static final String TOPIC = "e2e-metrics";
    private static final String ERRORS = "e2e-errors";

    /** With one record per row (the default) and with the rows of a flush packed into records of up to 7 rows. */
    @ParameterizedTest(name = "rows.per.record={0}")
    @ValueSource(ints = {1, 7})
    void tableEqualsTheTruthAfterRotationsFailoverRestartsAndADatabaseCut(int rowsPerRecord, @TempDir Path dir) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        String table = "e2e_metrics_" + run;
        String sourceName = "e2e-source-" + run;
        String sinkName = "e2e-sink-" + run;
        try (PipelineCluster cluster = new PipelineCluster("e2e", 2);
             TcpProxy proxy = new TcpProxy(port(cluster.pg.url()))) {
            cluster.connect.kafka().createTopic(TOPIC, 3);
            cluster.connect.kafka().createTopic(ERRORS, 1);
            cluster.pg.dropTable(table);
            String proxiedUrl = "jdbc:postgresql://127.0.0.1:" + proxy.port() + URI.create(cluster.pg.url().substring(5)).getPath();

            LogWriter writer = new LogWriter(dir.resolve("access.log"), 3).withLatencies();
            writer.writeLines(1000);
            Map<String, String> source = cluster.source(dir.toAbsolutePath() + "/access.log*", LogWriter.LATENCY_FORMAT, TOPIC, ERRORS);
            source.put("metrics", "request_time:sum,max,histogram;upstream_response_time:histogram");
            source.put("rows.per.record", Integer.toString(rowsPerRecord));
            Map<String, String> sink = cluster.sink(proxiedUrl, TOPIC, table, sinkName);
            sink.put("tasks.max", "2");
            cluster.connect.configureConnector(sourceName, source);
            cluster.connect.configureConnector(sinkName, sink);
            cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sourceName, 1, "source did not start");
            cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sinkName, 2, "sink did not start");

            AtomicBoolean watching = new AtomicBoolean(true);
            AtomicReference<String> failed = new AtomicReference<>();
            Thread watcher = ClusterChecks.failureWatcher(cluster.connect, watching, failed, sourceName, sinkName);
            writer.startAppending(100, 20);
            watcher.start();
            try {
                // the pauses below pace the scenario while lines keep flowing; nothing is asserted on timing
                TimeUnit.SECONDS.sleep(2);
                writer.rotate(dir.resolve("access.log.1"), 100);
                TimeUnit.SECONDS.sleep(2);

                cluster.connect.removeWorker(ClusterChecks.workerRunning(cluster.connect, sourceName)); // the host dies; same volume, other host
                cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sourceName, 1, "source task did not move");
                cluster.connect.addWorker();
                cluster.connect.assertions().assertAtLeastNumWorkersAreUp(2, "the replacement worker did not join");

                cluster.connect.restartConnectorAndTasks(sourceName, false, true, false);
                cluster.connect.restartConnectorAndTasks(sinkName, false, true, false);
                cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sourceName, 1, "source did not restart");
                cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sinkName, 2, "sink did not restart");

                proxy.cut();
                TimeUnit.SECONDS.sleep(20);
                proxy.restore();

                Files.move(dir.resolve("access.log.1"), dir.resolve("access.log.2"));
                writer.rotate(dir.resolve("access.log.1"), 100);
                TimeUnit.SECONDS.sleep(2);
            } finally {
                writer.stopAndClose();
            }

            Map<String, long[]> truth = writer.truth();
            long good = writer.goodLines();
            cluster.assertTableEqualsTruth(table, truth, good, watching, watcher, failed);
            long rejected = ClusterChecks.countRecords(cluster.connect, ERRORS, writer.badLines());
            assertEquals(writer.badLines(), rejected, "one errors-topic record per bad line");
            assertEquals(good + writer.badLines(), cluster.pg.sumRequests(table) + rejected, "parsed + rejected lines = all lines");
            for (RawLatencyCount.Field field : RawLatencyCount.Field.values()) {
                String histogram = field.name().toLowerCase(java.util.Locale.ROOT) + "_histogram";
                Map<String, Long> truthBuckets = RawLatencyCount.buckets(dir, "access.log", field, 60_000, 0.01, 0.001);
                assertEquals(truthBuckets, cluster.pg.histogramBuckets(table, histogram), "bucket counts of " + field
                        + " per (window, status, bucket)");
            }
            // and the operator's check, bin/logbunker-verify, finds every comparable window matching
            VerifyRun verify = VerifyRun.of("--files", dir.toAbsolutePath() + "/access.log*", "--log-format", LogWriter.LATENCY_FORMAT,
                    "--group-by", "status", "--window-ms", "60000", "--jdbc-url", cluster.pg.url(), "--user", cluster.pg.user(),
                    "--table", table);
            assertEquals(0, verify.exit(), verify.output());
            assertTrue(verify.output().contains(" 0 missing, 0 extra, 0 differ"), verify.output());
            cluster.pg.dropTable(table);
        }
    }

    private static int port(String jdbcUrl) {
        int p = URI.create(jdbcUrl.substring(5)).getPort();
        return p < 0 ? 5432 : p;
    }
}
