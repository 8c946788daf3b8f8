package io.logbunker.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Sink against sink: our sink and Debezium's JDBC sink (io.debezium:debezium-connector-jdbc, its plugin directory
 * given with --debezium-plugin) each read the same topic of aggregate records into their own PostgreSQL table, on
 * one worker without exactly-once that commits consumer offsets every 250 ms; timed from registering the connector
 * until its consumer group's committed offsets reach the offset after the last committed record. The topic is filled first by our
 * source from a prefix of the corpus with 1 s windows (about one record per 8 lines). Debezium runs in its upsert
 * mode keyed by the record key: it overwrites a row with the latest partial where ours adds the partials, so its
 * table is not a correct total; the comparison is of write throughput only.
 */
final class SinkComparison {
    private final PipelineBenchmark bench;

    SinkComparison(PipelineBenchmark bench) {
        this.bench = bench;
    }

    void run(String sourceUrl, String plugins, int restPort, int runs) throws Exception {
        String debezium = bench.opts.get("debezium-plugin");
        if (debezium == null || !Files.isDirectory(Paths.get(debezium))) {
            throw new IllegalArgumentException("--debezium-plugin <dir with debezium-connector-jdbc and its jars> is required");
        }
        String url = bench.kafka.startWorker("worker-sinks", bench.kafkaPort, restPort, plugins + "," + Paths.get(debezium).getParent(),
                Map.of("group.id", "bench-sinks", "exactly.once.source.support", "disabled", "offset.flush.interval.ms", "250",
                        "config.storage.topic", "bench-sinks-configs", "offset.storage.topic", "bench-sinks-offsets",
                        "status.storage.topic", "bench-sinks-status"),
                List.of("AggregateUpsertSinkConnector", "JdbcSinkConnector"));
        long fillLines = Long.parseLong(bench.opts.getOrDefault("fill-lines", "4000000"));
        Path fill = bench.corpus.resolveSibling(bench.corpus.getFileName() + ".warmup");
        BenchFiles.writePrefix(bench.corpus, fill, fillLines);
        String topic = bench.topicOf("sinkfill");
        bench.pipeline(sourceUrl, "sinkfill", List.of(fill), fillLines, 1, 2, Map.of("bench.fill", "true"),
                "fill the topic (1 s windows)");
        // A sink reports (and commits) the offset after the last record it wrote; a transactional topic's end offset
        // lies past the final commit marker. So each sink is done when its group's committed offsets reach, per
        // partition, the offset after the last committed record.
        Map<TopicPartition, Long> done = new HashMap<>();
        int partitions = bench.partitions();
        long records = bench.topics.readCommitted(topic, partitions, done);
        long target = done.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("topic %s: %,d aggregate records in %,d offsets (the rest are transaction markers)%n", topic,
                records, bench.topics.endOffset(topic, partitions));
        // both sinks run on the one worker, so a warm-up round is one run of each, repeated until its JIT settles
        bench.warmUp("both sinks", k -> {
            RunResult a = sinkRun(url, "ours", "w" + k, topic, target, records, fillLines, debezium);
            RunResult b = sinkRun(url, "debezium", "w" + k, topic, target, records, fillLines, debezium);
            Map<String, Double> cpu = new HashMap<>(a.cpuSeconds());
            b.cpuSeconds().forEach((key, v) -> cpu.merge(key, v, Double::sum));
            return new RunResult("warm-up", a.seconds() + b.seconds(), records, cpu, 0);
        });
        List<RunResult> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (String which : List.of("ours", "debezium")) {
                results.add(sinkRun(url, which, Integer.toString(r), topic, target, records, fillLines, debezium));
            }
        }
        String table = RunResult.table(results, 0);
        System.out.println(table);
        Files.writeString(bench.state.resolve("results-sinks.md"), table);
    }

    /** One sink connector over the whole topic, timed until its committed offsets reach {@code target}. */
    private RunResult sinkRun(String url, String which, String run, String topic, long target, long records, long fillLines,
                           String debezium) throws Exception {
        String name = "sink-" + which + "-" + run + "-" + bench.id;
        ObjectNode c = PipelineBenchmark.JSON.createObjectNode();
        c.put("name", name);
        c.put("topics", topic);
        c.put("tasks.max", "1");
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("consumer.override.max.poll.records", "5000");
        if (which.equals("ours")) {
            c.put("connector.class", "io.logbunker.connect.sink.AggregateUpsertSinkConnector");
            c.put("connection.url", bench.pgUrl);
            c.put("connection.user", bench.pgUser);
            c.put("table.name.format", name.replace('-', '_'));
        } else {
            c.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
            c.put("connection.url", bench.pgUrl);
            c.put("connection.username", bench.pgUser);
            c.put("connection.password", bench.opts.getOrDefault("pg-password", ""));
            c.put("insert.mode", "upsert");
            c.put("primary.key.mode", "record_key");
            c.put("schema.evolution", "basic");
            c.put("batch.size", "5000");
            c.put("collection.name.format", name.replace('-', '_'));
        }
        Map<String, Long> cpu0 = bench.processCpu.sample();
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MINUTES.toNanos(15);
        bench.kafka.putConnector(url, c);
        for (int poll = 0; bench.topics.committed("connect-" + name) < target; poll++) {
            bench.kafka.checkChildren();
            if (poll % (2 * PipelineBenchmark.STATUS_EVERY_POLLS) == 0 && bench.kafka.taskState(url, name).contains("FAILED")) {
                throw new IllegalStateException(which + " sink failed: " + bench.kafka.get(url, "/connectors/" + name + "/status"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(which + " sink did not finish in 15 minutes: committed "
                        + bench.topics.committed("connect-" + name) + " of " + target);
            }
            Thread.sleep(50);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> cpuSecs = bench.processCpu.since(cpu0); // before the delete: its database sessions end with it
        bench.deleteConnector(url, name);
        try (Connection db = bench.database();
             Statement st = db.createStatement()) {
            if (which.equals("ours") && BenchTables.contents(db, name.replace('-', '_')).requests() != fillLines) {
                throw new IllegalStateException("our sink's table does not total " + fillLines + " requests");
            }
            st.execute("DROP TABLE IF EXISTS \"" + name.replace('-', '_') + "\"");
        }
        RunResult res = new RunResult(which.equals("ours") ? "LogBunker sink (additive upsert; new rows by COPY)"
                : "Debezium JDBC sink " + debeziumVersion(debezium) + " (upsert, record_key)", secs, records, cpuSecs, 0);
        System.out.printf("run %s %-45s %6.2f s  %,10.0f records/s  cpu %s%n", run, res.scenario(), secs, records / secs, cpuSecs);
        return res;
    }

    /** The version in the name of the plugin directory's debezium-connector-jdbc jar. */
    private static String debeziumVersion(String dir) throws IOException {
        try (Stream<Path> jars = Files.list(Paths.get(dir))) {
            return jars.map(j -> j.getFileName().toString()).filter(n -> n.startsWith("debezium-connector-jdbc-"))
                    .map(n -> n.substring("debezium-connector-jdbc-".length(), n.length() - ".jar".length())).findFirst().orElse("?");
        }
    }
}
