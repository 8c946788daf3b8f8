package io.logbunker.connect.e2e;

import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.Logrotate;
import io.logbunker.connect.testkit.RawLogCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source (two tasks, EOS, the packaged plugin) is paused through REST while the real logrotate rotates the log twice
 * with {@code copytruncate}, and after each truncation nginx writes more than the file held before: the paused tasks
 * still hold the file open at their old positions, and the file never looks smaller to them. After the resume the
 * table equals the truth counted from the raw files (the copies, one compressed, and the log).
 */
class CopytruncateWhilePausedIT {
    private static final String TOPIC = "copytruncate-metrics";
    private static final String ERRORS = "copytruncate-errors";

    @Test
    void aLogCopiedTruncatedAndRegrownWhileTheSourceIsPausedIsCountedExactly(@TempDir Path dir) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        String table = "copytruncate_" + run;
        String sourceName = "copytruncate-source-" + run;
        String sinkName = "copytruncate-sink-" + run;
        Path log = dir.resolve("access.log");
        try (PipelineCluster cluster = new PipelineCluster("copytruncate", 1)) {
            cluster.connect.kafka().createTopic(TOPIC, 2);
            cluster.connect.kafka().createTopic(ERRORS, 1);
            cluster.pg.dropTable(table);
            LogWriter writer = new LogWriter(log, 3);
            Logrotate logrotate = Logrotate.copytruncate(log);
            writer.writeLines(5_000);
            Map<String, String> source = cluster.source(dir.toAbsolutePath() + "/access.log*", "combined", TOPIC, ERRORS);
            source.put("tasks.max", "2");
            cluster.connect.configureConnector(sourceName, source);
            cluster.connect.configureConnector(sinkName, cluster.sink(cluster.pg.url(), TOPIC, table, sinkName));
            cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sourceName, 2, "source did not start");
            cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sinkName, 1, "sink did not start");
            AtomicBoolean watching = new AtomicBoolean(true);
            AtomicReference<String> failed = new AtomicReference<>();
            Thread watcher = ClusterChecks.failureWatcher(cluster.connect, watching, failed, sourceName, sinkName);
            watcher.start();
            cluster.pg.awaitRequests(table, writer.goodLines(), Duration.ofSeconds(120));

            cluster.connect.pauseConnector(sourceName);
            cluster.connect.assertions().assertConnectorAndExactlyNumTasksArePaused(sourceName, 2, "source did not pause");
            int regrowth = 10_000;
            for (int rotation = 0; rotation < 2; rotation++) {
                writer.writeLines(1_000); // not read before the rotation
                long before = Files.size(log);
                logrotate.rotate(writer);
                writer.writeLines(regrowth);
                assertTrue(Files.size(log) > before, "the log grew past its size before the truncation");
                regrowth += 5_000;
            }
            cluster.connect.resumeConnector(sourceName);
            cluster.connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sourceName, 2, "source did not resume");
            writer.close();

            Map<String, long[]> truth = RawLogCount.perWindowAndStatus(dir, "access.log");
            assertEquals(ClusterChecks.render(writer.truth()), ClusterChecks.render(truth),
                    "the files hold every line written (nothing was written between logrotate's copy and its truncate)");
            cluster.assertTableEqualsTruth(table, truth, writer.goodLines(), watching, watcher, failed);
            assertEquals(writer.badLines(), ClusterChecks.countRecords(cluster.connect, ERRORS, writer.badLines()),
                    "one errors-topic record per bad line, none cut in two by a truncation");
            cluster.pg.dropTable(table);
        }
    }
}
