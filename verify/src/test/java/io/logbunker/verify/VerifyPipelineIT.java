package io.logbunker.verify;

import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's use: the pipeline (EOS source, rotation, a restart of both connectors, sink into PostgreSQL) has run;
 * verify reads the source's settings from the Connect REST API, recounts the files and finds every comparable window
 * matching. Then a row is removed behind the pipeline's back, and verify says so.
 */
class VerifyPipelineIT {

    @Test
    void afterThePipelineVerifyReadsTheConnectorOverRestAndFindsEveryWindowMatching(@TempDir Path dir) throws Exception {
        TestDatabase pg = TestDatabase.postgres();
        String run = Long.toString(System.currentTimeMillis(), 36);
        String table = "verify_pipeline_" + run;
        String topic = "verify-metrics-" + run;
        EmbeddedConnectCluster connect = ClusterChecks.startEosCluster("verify", 1, Map.of());
        try {
            connect.kafka().createTopic(topic, 2);
            LogWriter writer = new LogWriter(dir.resolve("access.log"), 20);
            writer.writeLines(4_000);
            Map<String, String> source = new HashMap<>();
            source.put("connector.class", "io.logbunker.connect.source.AccessLogSourceConnector");
            source.put("tasks.max", "1");
            source.put("files", dir + "/access.log*");
            source.put("log.format", "combined");
            source.put("group.by", "status");
            source.put("topic", topic);
            source.put("window.grace.ms", "0");
            source.put("flush.idle.ms", "500");
            source.put("files.scan.interval.ms", "200");
            source.put("exactly.once.support", "required");
            Map<String, String> sink = new HashMap<>(pg.sinkConfig("verify-sink-" + run));
            sink.put("connector.class", "io.logbunker.connect.sink.AggregateUpsertSinkConnector");
            sink.put("topics", topic);
            sink.put("table.name.format", table);
            sink.put("consumer.override.isolation.level", "read_committed");
            String sourceName = "verify-source-" + run;
            connect.configureConnector(sourceName, source);
            connect.configureConnector("verify-sink-" + run, sink);
            writer.rotate(dir.resolve("access.log.1"), 500);
            writer.writeLines(3_000);
            connect.restartConnectorAndTasks(sourceName, false, true, false);
            writer.writeLines(2_000);
            writer.close();
            pg.awaitRequests(table, writer.goodLines(), Duration.ofSeconds(120));
            TimeUnit.SECONDS.sleep(2); // a duplicate would arrive now; verify must see the settled table

            String url = connect.endpointForResource("").replaceAll("/+$", "");
            Run ok = verify(pg, "--connect-url", url, "--connector", sourceName, "--jdbc-url", pg.url(), "--table", table);
            assertEquals(0, ok.exit, ok.err + ok.out);
            assertTrue(ok.out.contains(" 0 missing, 0 extra, 0 differ"), ok.out);
            assertTrue(ok.out.contains((writer.goodLines() + writer.badLines()) + " lines (" + writer.badLines() + " rejected) in 2 files"), ok.out);

            pg.scalarLong("SELECT COUNT(*) FROM " + pg.q(table)); // the table is there
            try (var c = pg.connect(); var st = c.createStatement()) {
                st.executeUpdate("DELETE FROM " + pg.q(table) + " WHERE status = '404' AND window_start = (SELECT MIN(window_start) + "
                        + "INTERVAL '2 minutes' FROM " + pg.q(table) + ")");
            }
            Run damaged = verify(pg, "--connect-url", url, "--connector", sourceName, "--jdbc-url", pg.url(), "--table", table, "--json");
            assertEquals(1, damaged.exit, damaged.err + damaged.out);
            assertTrue(damaged.out.contains("\"missing\":1") && damaged.out.contains("\"group\":\"404\""), damaged.out);
        } finally {
            connect.stop();
            pg.dropTable(table);
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run verify(TestDatabase db, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (db.user() != null) {
            all.addAll(List.of("--user", db.user()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Verify.run(all.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
