package io.logbunker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.logbunker.demo.LocalKafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End to end on this machine, everything local: a pre-written access log → our source (exactly-once on) → Kafka →
 * our sink → PostgreSQL, timed from registering the connectors until the table's totals are complete; and, on the
 * same broker in the same run, Kafka's FileStreamSourceConnector shipping the same file line by line on a worker
 * without exactly-once, timed until every line is in its topic. Prints one Markdown table.
 */
public final class PipelineBenchmark {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String EOS_OFFSETS = "bench-eos-offsets";
    private static final String BUILD_OFFSETS = "bench-build-offsets";
    /** Each exactly-once worker's offset.storage.topic, by REST URL: where a run sees its source finish. */
    private final Map<String, String> offsetsTopics = new HashMap<>();
    /** The workers' heap as the README recommends for a worker at scale: fixed and pre-touched. */
    static final String WORKER_HEAP = "-Xms2g -Xmx2g -XX:+AlwaysPreTouch";
    /**
     * The completion loops poll every 100 ms (50 ms for the sinks) but ask the worker's REST API for the task states
     * only every 10th time: a status call every 50 ms cost the measured worker about 0.5 CPU s per 20M-line run
     * (Jersey and Jetty, async-profiler), which FileStreamSource's loop, reading only end offsets, did not pay.
     */
    static final int STATUS_EVERY_POLLS = 10;

    final Map<String, String> opts;
    final Path repo;
    final Path state;
    final Path corpus;
    private final int ads;
    final long lines;
    final String pgUrl;
    final String pgUser;
    LocalKafka kafka;
    int kafkaPort;
    BenchTopics topics;
    ProcessCpu processCpu;
    /** Unique per invocation: the sink's offsets table outlives the benchmark's broker. */
    final String id = Long.toString(System.currentTimeMillis(), 36);
    private final boolean latencies;
    private final boolean adTracking;
    /** --log-rate: lines per second of log time in the ad-tracking corpus. */
    private final int logRate;
    final String format;
    final ConnectorConfigs connectorConfigs;

    private PipelineBenchmark(Map<String, String> opts) {
        this.opts = opts;
        this.repo = Paths.get(opts.getOrDefault("repo", ".")).toAbsolutePath().normalize();
        this.state = repo.resolve(opts.getOrDefault("state-dir", ".bench")).toAbsolutePath();
        this.ads = Integer.parseInt(opts.getOrDefault("ads", "200"));
        // the standard corpus has 200 ad ids; --ads N (per-ad counters have thousands) writes a corpus of its own
        // --latencies true: request and upstream times as a proxied service has them, in Corpus.LATENCY_FORMAT (for
        // --variant metrics=...histogram)
        this.latencies = Boolean.parseBoolean(opts.getOrDefault("latencies", "false"));
        this.format = latencies ? Corpus.LATENCY_FORMAT : Corpus.FORMAT;
        // --shape adtracking: Corpus.writeAdTracking (7 event types, a handful of statuses; per-ad counters, issue 14)
        this.adTracking = opts.getOrDefault("shape", "standard").equals("adtracking");
        this.logRate = Integer.parseInt(opts.getOrDefault("log-rate", "20000"));
        this.corpus = state.resolve(adTracking ? "corpus/adtracking-" + ads + "-ads-" + logRate + "-per-s.log"
                : (latencies ? "corpus/access-latencies" : "corpus/access") + (ads == 200 ? "" : "-" + ads + "-ads") + ".log");
        this.lines = Long.parseLong(opts.getOrDefault("lines", "20000000"));
        this.pgUrl = opts.getOrDefault("pg-url", "jdbc:postgresql://127.0.0.1:5432/test");
        this.pgUser = opts.getOrDefault("pg-user", "postgres");
        this.connectorConfigs = new ConnectorConfigs(opts, pgUrl, pgUser, format);
    }

    /** --partitions: the metrics topics' partitions (3, connect-configs/kafka-server.properties' num.partitions). */
    int partitions() {
        return Integer.parseInt(opts.getOrDefault("partitions", "3"));
    }

    /** --parse-threads: the source's parse.threads (2). */
    int parseThreads() {
        return Integer.parseInt(opts.getOrDefault("parse-threads", "2"));
    }

    /** The metrics topic of a pipeline run (the fill of SinkComparison and SinkCatchUp is one). */
    String topicOf(String run) {
        return "bench-metrics-" + run + "-" + id;
    }

    /** A connection to the benchmark's PostgreSQL database. */
    Connection database() throws java.sql.SQLException {
        return DriverManager.getConnection(pgUrl, pgUser, opts.getOrDefault("pg-password", ""));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        new PipelineBenchmark(opts).run();
    }

    private void run() throws Exception {
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        kafkaPort = Integer.parseInt(opts.getOrDefault("kafka-port", "19292"));
        int ours = Integer.parseInt(opts.getOrDefault("connect-port", "18283"));
        int peer = ours + 1;
        if (!Files.exists(corpus) || BenchFiles.countLines(corpus) != lines) {
            System.out.printf("Writing %,d lines to %s ...%n", lines, corpus);
            Files.createDirectories(corpus.getParent());
            if (adTracking) {
                Corpus.writeAdTracking(corpus, lines, ads, logRate);
            } else {
                Corpus.write(corpus, lines, ads, latencies);
            }
        }
        long size = Files.size(corpus);
        System.out.printf("Corpus: %,d lines, %,d bytes (%.0f bytes/line)%n", lines, size, (double) size / lines);
        BenchFiles.deleteRecursively(state.resolve("kafka"));
        kafka = new LocalKafka(repo, state);
        // --worker-heap "opts": the workers' heap, by default the README's recommendation for a worker at scale (a fixed,
        // pre-touched heap: a growing one has the kernel zero fresh pages for the allocating task threads, BENCHMARKS.md
        // section 17); --worker-heap "" for the launcher's -Xms512m -Xmx2g. --worker-jvm "opts": extra JVM options of the
        // workers (e.g. an -agentpath for a profiler). Both split at spaces.
        String workerJvm = (opts.getOrDefault("worker-heap", WORKER_HEAP) + " " + opts.getOrDefault("worker-jvm", "")).trim();
        if (!workerJvm.isEmpty()) {
            kafka.workerJvmOptions(List.of(workerJvm.split(" +")));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        kafka.startBroker(kafkaPort);
        topics = new BenchTopics(kafkaPort, state.resolve("kafka"));
        processCpu = new ProcessCpu(kafka);
        String plugins = repo.resolve("source-connector/target/plugin") + "," + repo.resolve("sink-connector/target/plugin");
        kafka.allowLogDirectories(List.of(state));
        String oursUrl = kafka.startWorker("worker-eos", kafkaPort, ours, plugins, Map.of("group.id", "bench-eos",
                "config.storage.topic", "bench-eos-configs", "offset.storage.topic", EOS_OFFSETS,
                "status.storage.topic", "bench-eos-status"), List.of("AccessLogSourceConnector", "AggregateUpsertSinkConnector"));
        // Kafka's own connector, run as its users run it: no exactly-once on that worker
        String peerUrl = kafka.startWorker("worker-plain", kafkaPort, peer, plugins, Map.of("group.id", "bench-plain",
                "exactly.once.source.support", "disabled", "config.storage.topic", "bench-plain-configs",
                "offset.storage.topic", "bench-plain-offsets", "status.storage.topic", "bench-plain-status"),
                List.of("FileStreamSourceConnector"));
        // --variant-plugins "dir,dir": a third worker, set up like the first, whose plugin path is these directories
        // (the plugin directories of another build); each run then times both builds, alternating.
        // --variant-worker-jvm "opts": that worker's extra JVM options instead of --worker-jvm (a collector, say); with
        // the plugin directories of this build, the runs compare the two JVM settings
        String variantPlugins = opts.getOrDefault("variant-plugins", "");
        if (opts.containsKey("variant-worker-jvm") && variantPlugins.isEmpty()) {
            throw new IllegalArgumentException("--variant-worker-jvm sets the JVM options of the --variant-plugins worker: "
                    + "give --variant-plugins too (this build's plugin directories to compare JVM settings alone)");
        }
        if (opts.containsKey("variant-worker-jvm")) {
            String options = (opts.getOrDefault("worker-heap", WORKER_HEAP) + " " + opts.get("variant-worker-jvm")).trim();
            kafka.workerJvmOptions(options.isEmpty() ? List.of() : List.of(options.split(" +")));
        }
        String buildUrl = variantPlugins.isEmpty() ? null : kafka.startWorker("worker-build", kafkaPort, ours + 2, variantPlugins,
                Map.of("group.id", "bench-build", "config.storage.topic", "bench-build-configs",
                        "offset.storage.topic", BUILD_OFFSETS, "status.storage.topic", "bench-build-status"),
                List.of("AccessLogSourceConnector", "AggregateUpsertSinkConnector"));
        offsetsTopics.put(oursUrl, EOS_OFFSETS);
        if (buildUrl != null) {
            offsetsTopics.put(buildUrl, BUILD_OFFSETS);
        }
        String scenario = opts.getOrDefault("scenario", "batch");
        if (!scenario.equals("batch")) {
            switch (scenario) {
                case "sinks" -> new SinkComparison(this).run(oursUrl, plugins, ours + 2, runs);
                case "tasks" -> new TaskScaling(this).run(oursUrl, runs);
                case "steady" -> new SteadyRuns(this).run(oursUrl, peerUrl, runs);
                case "catchup" -> new SinkCatchUp(this).run(oursUrl, buildUrl, runs);
                case "live" -> new LiveTailing(this).run(oursUrl, Integer.parseInt(opts.getOrDefault("rate", "100000")),
                        Integer.parseInt(opts.getOrDefault("seconds", "70")));
                default -> throw new IllegalArgumentException("unknown --scenario " + scenario + " (batch, steady, catchup, tasks, sinks, live)");
            }
            topics.close();
            kafka.close();
            return;
        }
        List<RunResult> results = new ArrayList<>();
        boolean peerToo = Boolean.parseBoolean(opts.getOrDefault("peer", "true"));
        long warmupLines = Long.parseLong(opts.getOrDefault("warmup-lines", Long.toString(lines)));
        if (warmupLines > 0) {
            // The broker and the workers are fresh JVMs, and one run over the whole corpus does not warm them: the
            // worker's JIT compiler threads used 13.3, 5.2, 2.2 and 2.0 CPU s in four successive 20M-line runs (machine
            // D), competing with the parse threads for the two cores. So each scenario repeats discarded warm-up runs
            // until its worker's JIT has settled (see warmUp), as in a worker that has been running for a while. The
            // JIT's CPU in every timed run is reported.
            warmupLines = Math.min(warmupLines, lines);
            // named after its corpus: a prefix of another corpus with as many lines must not be taken for it
            Path warm = warmupLines == lines ? corpus : corpus.resolveSibling(corpus.getFileName() + ".warmup");
            if (warm != corpus) {
                BenchFiles.writePrefix(corpus, warm, warmupLines);
            }
            long wl = warmupLines;
            if (peerToo) {
                warmUp("FileStreamSource", k -> fileStream(peerUrl, "w" + k, warm, wl));
            }
            warmUp("LogBunker", k -> pipeline(oursUrl, "w" + k, warm, wl));
            Map<String, String> variant = ConnectorConfigs.keyValues(opts.getOrDefault("variant", ""));
            if (!variant.isEmpty()) {
                // the variant's own code paths (a histogram's, say) must be compiled before its timed runs too
                warmUp("LogBunker with " + opts.get("variant"), k -> pipeline(oursUrl, "wv" + k, List.of(warm), wl, 1,
                        parseThreads(), variant, "LogBunker with " + opts.get("variant")));
            }
            if (buildUrl != null) {
                warmUp("LogBunker of " + variantPlugins, k -> pipeline(buildUrl, "wb" + k, warm, wl));
            }
        }
        // --variant "k=v,...": source settings to compare with the defaults; each run then times both, alternating,
        // because runs in one invocation vary less than invocations do (the VM's neighbours come and go)
        Map<String, String> variant = ConnectorConfigs.keyValues(opts.getOrDefault("variant", ""));
        for (int r = 1; r <= runs; r++) {
            if (peerToo) {
                results.add(fileStream(peerUrl, Integer.toString(r), corpus, lines));
            }
            List<RunResult.RoundRun> order = new ArrayList<>();
            order.add(k -> pipeline(oursUrl, Integer.toString(k), corpus, lines));
            if (buildUrl != null) {
                order.add(k -> pipeline(buildUrl, k + "b", List.of(corpus), lines, 1, parseThreads(), Map.of(), "LogBunker of " + variantPlugins));
            }
            if (!variant.isEmpty()) {
                order.add(k -> pipeline(oursUrl, k + "v", List.of(corpus), lines, 1, parseThreads(), variant, "LogBunker with " + opts.get("variant")));
            }
            RunResult.timeRound(order, r, results);
        }
        topics.close();
        kafka.close();
        String table = RunResult.table(results, size);
        System.out.println(table);
        Files.writeString(state.resolve("results.md"), table);
    }

    /**
     * Discarded runs until the worker's JIT has settled: its compiler threads use under 5% of the worker's CPU in a
     * run, or no less than 3/4 of what they used in the run before (a worker keeps compiling ~1.5 s per run of
     * lukewarm code, REST handling and the like, however long it runs); at most --max-warmups runs (5), none with
     * --warmup-lines 0. --warmup-plateau F replaces the 3/4 (a large F: only the 5% rule and the maximum stop them;
     * per ad the compiler threads still took 0.9-2.2 s of each timed run after 12 warm-ups, BENCHMARKS.md section 25).
     */
    void warmUp(String what, RunResult.RoundRun run) throws Exception {
        if (Long.parseLong(opts.getOrDefault("warmup-lines", "1")) == 0) {
            return;
        }
        int max = Integer.parseInt(opts.getOrDefault("max-warmups", "5"));
        double plateau = Double.parseDouble(opts.getOrDefault("warmup-plateau", "0.75"));
        double previous = Double.MAX_VALUE;
        for (int k = 1; k <= max; k++) {
            System.out.printf("Warm-up %d of %s (not counted):%n", k, what);
            RunResult r = run.run(k);
            double jit = r.cpuSeconds().getOrDefault("jit", 0.0);
            double workers = r.cpuSeconds().getOrDefault("workers", 0.0);
            if (jit < 0.05 * workers || jit >= plateau * previous) {
                return;
            }
            previous = jit;
        }
        System.out.printf("(the JIT was still settling after %d warm-up runs; timing anyway)%n", max);
    }

    /** The offset.storage.topic of the exactly-once worker at this REST URL. */
    String offsetsTopic(String url) {
        return offsetsTopics.get(url);
    }

    private RunResult fileStream(String url, String run, Path input, long lines) throws Exception {
        String topic = "filestream-" + run;
        topics.create(topic, 1);
        ObjectNode c = ConnectorConfigs.fileStream(topic, input);
        BenchFiles.readThrough(List.of(input));
        Map<String, Long> cpu0 = processCpu.sample();
        long t0 = System.nanoTime();
        kafka.putConnector(url, c);
        while (topics.endOffset(topic, 1) < lines) {
            kafka.checkChildren();
            Thread.sleep(100);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        RunResult res = new RunResult("FileStreamSource (raw lines, no parsing, no EOS)", secs, lines, processCpu.since(cpu0), topics.bytes(topic) / (double) lines);
        deleteConnector(url, topic);
        topics.drop(topic);
        res.report();
        return res;
    }

    RunResult pipeline(String url, String run, Path input, long lines) throws Exception {
        return pipeline(url, run, List.of(input), lines, 1, parseThreads(),
                "LogBunker: parse + aggregate (EOS) → Kafka → upsert → PostgreSQL");
    }

    RunResult pipeline(String url, String run, List<Path> inputs, long lines, int tasks, int parseThreads, String scenario)
            throws Exception {
        return pipeline(url, run, inputs, lines, tasks, parseThreads, Map.of(), scenario);
    }

    /** Throws when a task of one of the connectors is FAILED, with the first line of its trace. */
    void failIfFailed(String url, String... connectors) {
        for (String c : connectors) {
            String st = kafka.taskState(url, c);
            if (st.contains("FAILED")) {
                throw new IllegalStateException("a task of " + c + " failed: " + st);
            }
        }
    }

    RunResult pipeline(String url, String run, List<Path> inputs, long lines, int tasks, int parseThreads,
                            Map<String, String> sourceOverrides, String scenario) throws Exception {
        String topic = topicOf(run);
        String table = "bench_metrics_" + run + "_" + id;
        // a variant's "topic.partitions=N" overrides --partitions for its runs
        sourceOverrides = new java.util.LinkedHashMap<>(sourceOverrides);
        String partitions = sourceOverrides.remove("topic.partitions");
        // a variant's "bench.completion=every-second" looks for the end as this harness did before (see RunCompletion)
        boolean everySecond = "every-second".equals(sourceOverrides.remove("bench.completion"));
        // "bench.fill=true": SinkComparison's fill, 1 s windows (unless --source sets them) and the topic kept
        boolean fill = "true".equals(sourceOverrides.remove("bench.fill"));
        int topicPartitions = partitions != null ? Integer.parseInt(partitions) : partitions();
        topics.create(topic, topicPartitions);
        Path dir = state.resolve("run-" + run);
        BenchFiles.deleteRecursively(dir);
        Files.createDirectories(dir);
        for (int k = 0; k < inputs.size(); k++) {
            // same bytes, new path: a fresh file for the source (identity = content; each run's connector is new)
            Files.createLink(dir.resolve("access-" + k + ".log"), inputs.get(k));
        }
        ConnectorConfigs.Connectors configs = connectorConfigs.logBunker("bench-source-" + run + "-" + id, "bench-sink-" + run
                + "-" + id, topic, table, dir.resolve("access-*.log").toString(), tasks, parseThreads, sourceOverrides, fill);
        ObjectNode sink = configs.sink();
        ObjectNode source = configs.source();
        BenchFiles.readThrough(inputs);
        Map<String, Long> cpu0 = processCpu.sample();
        long t0 = System.nanoTime();
        kafka.putConnector(url, sink);
        kafka.putConnector(url, source);
        long seen = 0;
        boolean timeline = Boolean.parseBoolean(opts.getOrDefault("timeline", "false"));
        long inputBytes = 0;
        for (Path input : inputs) {
            inputBytes += Files.size(input);
        }
        try (Connection db = database();
             RunCompletion completion = new RunCompletion("127.0.0.1:" + kafkaPort, offsetsTopics.get(url),
                     "bench-source-" + run + "-" + id, inputBytes, everySecond)) {
            for (int poll = 0; seen < lines; poll++) {
                kafka.checkChildren();
                if (poll % STATUS_EVERY_POLLS == 0) {
                    failIfFailed(url, "bench-source-" + run + "-" + id, "bench-sink-" + run + "-" + id);
                }
                Thread.sleep(100);
                if (completion.due(() -> topics.stableEnds(topic, topicPartitions), ends -> BenchTables.sinkCaughtUp(db, "bench-sink-" + run + "-" + id, ends))) {
                    seen = BenchTables.contentsOrNone(db, table, Long.MIN_VALUE).requests();
                }
                if (timeline) {
                    System.out.printf("  t=%5.2f s  topic end offsets %,9d  table requests %,11d%n", (System.nanoTime() - t0) / 1e9,
                            topics.endOffset(topic, topicPartitions), seen);
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("  the table was summed %d times to see the end%n", completion.sums());
            if (completion.lastSumByGuard()) {
                System.out.println("  (the end was found by the 10 s guard sum, not when the source's offsets covered the input: "
                        + "this run's time may be up to 10 s late)");
            }
            if (seen != lines) {
                throw new IllegalStateException("the table has " + seen + " requests for " + lines + " lines");
            }
            Map<String, Double> cpuSecs = processCpu.since(cpu0);
            long[] records = topics.committedRecords(topic, topicPartitions);
            BenchTables.Contents stored = BenchTables.contents(db, table);
            RunResult res = new RunResult(scenario, secs, lines, cpuSecs, topics.bytes(topic) / (double) lines, records[0],
                    stored.rows(), records[1], stored.windows());
            deleteConnector(url, "bench-source-" + run + "-" + id);
            deleteConnector(url, "bench-sink-" + run + "-" + id);
            if (!fill) { // SinkComparison reads the topic afterwards
                topics.drop(topic);
            }
            try (Statement s = db.createStatement()) {
                s.execute("DROP TABLE IF EXISTS \"" + table + "\"");
            }
            res.report();
            return res;
        }
    }

    void deleteConnector(String url, String name) throws Exception {
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/connectors/" + name))
                .DELETE().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
    }
}
