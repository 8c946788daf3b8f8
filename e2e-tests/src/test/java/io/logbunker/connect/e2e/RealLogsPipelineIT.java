package io.logbunker.connect.e2e;

import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.RealLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each real log in ../shared/data/real-logs/ through the whole pipeline reproduces its ground truth exactly. */
class RealLogsPipelineIT {

    @Test
    void everyRealLogReproducesItsGroundTruthInTheTable(@TempDir Path dir) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        try (PipelineCluster cluster = new PipelineCluster("real-logs", 1)) {
            List<RealLogs.Log> logs = new ArrayList<>();
            for (String name : RealLogs.names()) {
                RealLogs.Log log = RealLogs.load(name, dir);
                logs.add(log);
                int i = logs.size();
                Path logDir = Files.createDirectories(dir.resolve("log" + i));
                Files.copy(log.file(), logDir.resolve("access.log"));
                String topic = "real-" + i;
                cluster.connect.kafka().createTopic(topic, 1);
                cluster.connect.kafka().createTopic(topic + "-errors", 1);
                String table = "real_" + i + "_" + run;
                cluster.pg.dropTable(table);
                cluster.connect.configureConnector("real-source-" + i,
                        cluster.source(logDir.toAbsolutePath() + "/access.log", RealLogs.formatOf(name), topic, topic + "-errors"));
                String sinkName = "real-sink-" + i + "-" + run;
                cluster.connect.configureConnector(sinkName, cluster.sink(cluster.pg.url(), topic, table, sinkName));
            }
            for (int i = 1; i <= logs.size(); i++) {
                RealLogs.Log log = logs.get(i - 1);
                String table = "real_" + i + "_" + run;
                cluster.pg.awaitRequests(table, log.lines(), Duration.ofSeconds(240));
                Map<String, Long> byStatus = new TreeMap<>();
                long bytes = 0;
                long requests = 0;
                for (Map.Entry<String, long[]> e : cluster.pg.totalsByWindowAndStatus(table).entrySet()) {
                    byStatus.merge(e.getKey().substring(e.getKey().indexOf('|') + 1), e.getValue()[0], Long::sum);
                    requests += e.getValue()[0];
                    bytes += e.getValue()[1];
                }
                assertEquals(log.lines(), requests, log.name() + ": lines");
                assertEquals(new TreeMap<>(log.statusCounts()), byStatus, log.name() + ": requests per status");
                assertEquals(log.bytesSum(), bytes, log.name() + ": sum of bytes");
                assertEquals(0, ClusterChecks.countRecords(cluster.connect, "real-" + i + "-errors", 0), log.name() + ": rejected lines");
                cluster.pg.dropTable(table);
            }
        }
    }
}
