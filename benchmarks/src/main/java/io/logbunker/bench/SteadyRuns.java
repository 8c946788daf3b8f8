package io.logbunker.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs on connectors that stay up, as on a worker that has been running for a while: the batch runs create a source
 * and a sink connector per run, so each of them also pays the new connectors' start and the JIT's compilation of
 * their new clients (BENCHMARKS.md section 26). Here one source connector tails a directory and one sink connector
 * writes its topic for the whole invocation; each run moves a new file into the directory, the corpus with every
 * {@code $time_local} shifted by whole days past the previous run's (the same log on a later day, so its windows are
 * new rows), and is timed from the move until the table holds the run's lines. FileStreamSource keeps its connector
 * too: each run appends the same file to the one file it tails, timed until its topic holds the lines.
 *
 * <p>Each round also times a batch run (new connectors, the default scenario) on the same worker, before or after
 * the kept connectors' run in turn, unless {@code --steady-batch false}, so that the two are compared in one
 * invocation. {@code --peer false} leaves out
 * FileStreamSource. Warm-ups as in the batch scenario ({@code --warmup-lines}, {@code --max-warmups}).
 */
final class SteadyRuns {
    private static final long DAY = 86_400;

    private final PipelineBenchmark bench;
    private final Path dir;
    private final Path staging;
    private final String source;
    private final String sink;
    private final String topic;
    private final String table;
    private final int partitions;
    private final long shiftStep;
    private final long firstTime;
    /** Shifted copies written so far; the next one is a day (or more) later. */
    private int shifts;
    /** Bytes moved into the source's directory so far: the source has emitted them all when its offsets cover them. */
    private long bytesIn;
    private Path previousFile;
    private final String fssTopic;
    private final Path fssFile;
    private long fssLines;

    SteadyRuns(PipelineBenchmark bench) throws Exception {
        this.bench = bench;
        this.dir = bench.state.resolve("steady");
        this.staging = bench.state.resolve("steady-staging");
        this.source = "steady-source-" + bench.id;
        this.sink = "steady-sink-" + bench.id;
        this.topic = "steady-metrics-" + bench.id;
        this.table = "steady_metrics_" + bench.id;
        this.fssTopic = "filestream-steady-" + bench.id;
        this.fssFile = bench.state.resolve("steady-filestream/access.log");
        this.partitions = bench.partitions();
        long[] range = BenchFiles.timeRange(bench.corpus);
        this.firstTime = range[0];
        // whole days, with an hour to spare: a run's windows never meet the previous run's, whatever the window size
        this.shiftStep = DAY * ((range[1] - range[0] + 3600) / DAY + 1);
    }

    void run(String url, String peerUrl, int runs) throws Exception {
        boolean peer = Boolean.parseBoolean(bench.opts.getOrDefault("peer", "true"));
        boolean batchToo = Boolean.parseBoolean(bench.opts.getOrDefault("steady-batch", "true"));
        for (Path d : List.of(dir, staging, fssFile.getParent())) {
            BenchFiles.deleteRecursively(d);
            Files.createDirectories(d);
        }
        Files.createFile(fssFile);
        bench.topics.create(topic, partitions);
        ConnectorConfigs.Connectors c = bench.connectorConfigs.logBunker(source, sink, topic, table,
                dir.resolve("access-*.log").toString(), 1, bench.parseThreads(), Map.of(), false);
        // a new file is found within 0.1 s of its move, not within the default second
        c.source().put("files.scan.interval.ms", "100");
        bench.kafka.putConnector(url, c.sink());
        bench.kafka.putConnector(url, c.source());
        if (peer) {
            bench.topics.create(fssTopic, 1);
            ObjectNode fss = ConnectorConfigs.fileStream(fssTopic, fssFile);
            bench.kafka.putConnector(peerUrl, fss);
        }
        long warmupLines = Math.min(bench.lines, Long.parseLong(bench.opts.getOrDefault("warmup-lines", Long.toString(bench.lines))));
        Path warm = warmupLines == bench.lines ? bench.corpus : bench.corpus.resolveSibling(bench.corpus.getFileName() + ".warmup");
        if (warm != bench.corpus) {
            BenchFiles.writePrefix(bench.corpus, warm, warmupLines);
        }
        if (peer) {
            bench.warmUp("FileStreamSource, kept connector", k -> fileStream(warm, warmupLines));
        }
        bench.warmUp("LogBunker, kept connectors", k -> logBunker(url, warm, warmupLines));
        if (batchToo) {
            bench.warmUp("LogBunker, new connectors per run", k -> bench.pipeline(url, "sw" + k, warm, warmupLines));
        }
        List<RunResult> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            if (peer) {
                results.add(fileStream(bench.corpus, bench.lines));
            }
            List<RunResult.RoundRun> order = new ArrayList<>();
            order.add(k -> logBunker(url, bench.corpus, bench.lines));
            if (batchToo) {
                order.add(k -> bench.pipeline(url, "s" + k, bench.corpus, bench.lines));
            }
            RunResult.timeRound(order, r, results);
        }
        bench.deleteConnector(url, source);
        bench.deleteConnector(url, sink);
        if (peer) {
            bench.deleteConnector(peerUrl, fssTopic);
            bench.topics.drop(fssTopic);
        }
        bench.topics.drop(topic);
        for (Path d : List.of(dir, staging, fssFile.getParent())) {
            BenchFiles.deleteRecursively(d); // gigabytes: FileStreamSource's file holds every round's copy
        }
        try (Connection db = bench.database()) {
            db.createStatement().execute("DROP TABLE IF EXISTS \"" + table + "\"");
        }
        String result = RunResult.table(results, Files.size(bench.corpus));
        System.out.println(result);
        Files.writeString(bench.state.resolve("results-steady.md"), result);
    }

    /** One run of the kept LogBunker connectors: a shifted copy of {@code input} moved into their directory. */
    private RunResult logBunker(String url, Path input, long lines) throws Exception {
        int shift = ++shifts;
        Path staged = staging.resolve("access-" + shift + ".log");
        BenchFiles.writeShifted(input, staged, shift * shiftStep);
        long runStart = firstTime + shift * shiftStep - 3600;
        long size = Files.size(staged);
        BenchFiles.readThrough(List.of(staged));
        Map<Integer, Long> offsetsBefore = bench.topics.endOffsets(topic, partitions);
        long kafkaBytesBefore = bench.topics.bytes(topic);
        Map<String, Long> cpu0 = bench.processCpu.sample();
        long t0 = System.nanoTime();
        Files.move(staged, dir.resolve(staged.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        bytesIn += size;
        long seen = 0;
        try (Connection db = bench.database();
             RunCompletion completion = new RunCompletion("127.0.0.1:" + bench.kafkaPort, bench.offsetsTopic(url), source, bytesIn,
                     false)) {
            for (int poll = 0; seen < lines; poll++) {
                bench.kafka.checkChildren();
                if (poll % PipelineBenchmark.STATUS_EVERY_POLLS == 0) {
                    bench.failIfFailed(url, source, sink);
                }
                Thread.sleep(100);
                if (completion.due(() -> bench.topics.stableEnds(topic, partitions), ends -> BenchTables.sinkCaughtUp(db, sink, ends))) {
                    seen = BenchTables.contentsOrNone(db, table, runStart).requests();
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (seen != lines) {
                throw new IllegalStateException("the run's windows hold " + seen + " requests for " + lines + " lines");
            }
            Map<String, Double> cpu = bench.processCpu.since(cpu0);
            long[] records = bench.topics.committedRecords(topic, partitions, offsetsBefore);
            BenchTables.Contents stored = BenchTables.contents(db, table, runStart);
            double kafkaBytesPerLine = (bench.topics.bytes(topic) - kafkaBytesBefore) / (double) lines;
            RunResult res = new RunResult("LogBunker, kept connectors: parse + aggregate (EOS) → Kafka → upsert → PostgreSQL", secs,
                    lines, cpu, kafkaBytesPerLine, records[0], stored.rows(), records[1], stored.windows());
            res.report();
            if (previousFile != null) {
                Files.deleteIfExists(previousFile); // read to its end: a rotated log that is removed
            }
            previousFile = dir.resolve(staged.getFileName());
            System.out.printf("  the run's windows were summed %d times to see the end%n", completion.sums());
            return res;
        }
    }

    /** One run of the kept FileStreamSource connector: {@code input} appended to the file it tails. */
    private RunResult fileStream(Path input, long lines) throws Exception {
        BenchFiles.readThrough(List.of(input));
        long kafkaBytesBefore = bench.topics.bytes(fssTopic);
        Map<String, Long> cpu0 = bench.processCpu.sample();
        long t0 = System.nanoTime();
        try (var out = Files.newOutputStream(fssFile, StandardOpenOption.APPEND)) {
            Files.copy(input, out);
        }
        fssLines += lines;
        while (bench.topics.endOffset(fssTopic, 1) < fssLines) {
            bench.kafka.checkChildren();
            Thread.sleep(100);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        RunResult res = new RunResult("FileStreamSource, kept connector (raw lines, no parsing, no EOS)", secs, lines,
                bench.processCpu.since(cpu0), (bench.topics.bytes(fssTopic) - kafkaBytesBefore) / (double) lines);
        res.report();
        bench.topics.deleteRecords(fssTopic, 1); // gigabytes of raw lines per run
        return res;
    }
}
