package io.logbunker.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The sink alone catching up: the source fills a topic from the whole corpus once (its settings from --source, its
 * sink's table dropped), then each run is a new sink connector, with the settings of the pipeline runs, reading the
 * whole topic into a new table, timed from its registration until the offsets it stored in the database reach the
 * topic's end. What the database gets after an outage or a stopped sink, when the sink has the machine to itself; in
 * the pipeline runs it shares the cores with the source. --variant "sink.k=v,...": a second sink per round with those
 * settings, the two alternating; --variant-plugins: a second sink per round on the worker of those plugin directories
 * (another build's sink), the same way.
 */
final class SinkCatchUp {
    private static final String SCENARIO = "LogBunker sink catching up: Kafka → upsert → PostgreSQL";

    private final PipelineBenchmark bench;

    SinkCatchUp(PipelineBenchmark bench) {
        this.bench = bench;
    }

    /** {@code buildUrl}: the worker of --variant-plugins, or null. */
    void run(String url, String buildUrl, int runs) throws Exception {
        Map<String, String> variant = ConnectorConfigs.keyValues(bench.opts.getOrDefault("variant", ""));
        for (String k : variant.keySet()) {
            if (!k.startsWith("sink.")) {
                throw new IllegalArgumentException("--scenario catchup times the sink alone: a --variant sets only sink.* settings, not " + k);
            }
        }
        String topic = bench.topicOf("catchupfill");
        bench.pipeline(url, "catchupfill", List.of(bench.corpus), bench.lines, 1,
                bench.parseThreads(), Map.of("bench.fill", "true"), "fill the topic");
        int partitions = bench.partitions();
        Fill fill = new Fill(topic, partitions, bench.topics.stableEnds(topic, partitions), bench.topics.committedRecords(topic, partitions),
                bench.topics.bytes(topic));
        System.out.printf("topic %s: %,d records in %d partitions%n", topic, fill.recordsAndBytes()[0], partitions);
        bench.warmUp("the sink", k -> sinkRun(url, "w" + k, fill, Map.of(), SCENARIO));
        if (!variant.isEmpty()) {
            bench.warmUp("the sink with " + bench.opts.get("variant"), k -> sinkRun(url, "wv" + k, fill, variant,
                    SCENARIO + " with " + bench.opts.get("variant")));
        }
        String build = SCENARIO + " of " + bench.opts.get("variant-plugins");
        if (buildUrl != null) {
            bench.warmUp("the sink of " + bench.opts.get("variant-plugins"), k -> sinkRun(buildUrl, "wb" + k, fill, Map.of(), build));
        }
        List<RunResult> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            List<RunResult.RoundRun> order = new ArrayList<>();
            order.add(k -> sinkRun(url, Integer.toString(k), fill, Map.of(), SCENARIO));
            if (!variant.isEmpty()) {
                order.add(k -> sinkRun(url, k + "v", fill, variant, SCENARIO + " with " + bench.opts.get("variant")));
            }
            if (buildUrl != null) {
                order.add(k -> sinkRun(buildUrl, k + "b", fill, Map.of(), build));
            }
            RunResult.timeRound(order, r, results);
        }
        String table = RunResult.table(results, Files.size(bench.corpus));
        System.out.println(table);
        Files.writeString(bench.state.resolve("results-catchup.md"), table);
    }

    /** The filled topic: its partitions' last stable offsets, its committed records and their bytes, its size. */
    private record Fill(String topic, int partitions, Map<Integer, Long> ends, long[] recordsAndBytes, long topicBytes) {
    }

    /** One new sink connector over the whole topic into a new table, which must then total the corpus's lines. */
    private RunResult sinkRun(String url, String run, Fill fill, Map<String, String> overrides, String scenario) throws Exception {
        String name = "catchup-sink-" + run + "-" + bench.id;
        String table = "catchup_" + run + "_" + bench.id;
        ObjectNode sink = bench.connectorConfigs.logBunker("unused", name, fill.topic(), table, "unused", 1, 1, overrides, false).sink();
        Map<String, Long> cpu0 = bench.processCpu.sample();
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MINUTES.toNanos(15);
        bench.kafka.putConnector(url, sink);
        try (Connection db = bench.database()) {
            for (int poll = 0; !BenchTables.sinkCaughtUp(db, name, fill.ends()); poll++) {
                bench.kafka.checkChildren();
                if (poll % PipelineBenchmark.STATUS_EVERY_POLLS == 0) {
                    bench.failIfFailed(url, name);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not catch up in 15 minutes");
                }
                Thread.sleep(100);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> cpu = bench.processCpu.since(cpu0); // before the delete: its database sessions end with it
            bench.deleteConnector(url, name);
            BenchTables.Contents stored = BenchTables.contents(db, table);
            if (stored.requests() != bench.lines) {
                throw new IllegalStateException("the table totals " + stored.requests() + " requests for " + bench.lines + " lines");
            }
            try (Statement st = db.createStatement()) {
                st.execute("DROP TABLE \"" + table + "\"");
            }
            RunResult res = new RunResult(scenario, secs, bench.lines, cpu, fill.topicBytes() / (double) bench.lines,
                    fill.recordsAndBytes()[0], stored.rows(), fill.recordsAndBytes()[1], stored.windows());
            res.report();
            return res;
        }
    }
}
