package io.logbunker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.logbunker.demo.LocalKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * End to end on this machine, everything local: a pre-written access log → our source (exactly-once on) → Kafka →
 * our sink → PostgreSQL, timed from registering the connectors until the table's totals are complete; and, on the
 * same broker in the same run, Kafka's FileStreamSourceConnector shipping the same file line by line on a worker
 * without exactly-once, timed until every line is in its topic. Prints one Markdown table.
 */
public final class PipelineBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CLK_TCK = 100;
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
    private static final int STATUS_EVERY_POLLS = 10;

    private final Map<String, String> opts;
    private final Path repo;
    private final Path state;
    private final Path corpus;
    private final int ads;
    private final long lines;
    private final String pgUrl;
    private final String pgUser;
    private LocalKafka kafka;
    private int kafkaPort;
    private Admin admin;
    /** Unique per invocation: the sink's offsets table outlives the benchmark's broker. */
    private final String id = Long.toString(System.currentTimeMillis(), 36);
    private final boolean latencies;
    private final boolean adTracking;
    /** --log-rate: lines per second of log time in the ad-tracking corpus. */
    private final int logRate;
    private final String format;

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
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        new PipelineBenchmark(opts).run();
    }

    record Result(String scenario, double seconds, long lines, Map<String, Double> cpuSeconds, double kafkaBytesPerLine,
                  long records, long rows, long recordBytes, long windows) {
        Result(String scenario, double seconds, long lines, Map<String, Double> cpuSeconds, double kafkaBytesPerLine) {
            this(scenario, seconds, lines, cpuSeconds, kafkaBytesPerLine, 0, 0, 0, 0);
        }

        double linesPerSecond() {
            return lines / seconds;
        }
    }

    private void run() throws Exception {
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        kafkaPort = Integer.parseInt(opts.getOrDefault("kafka-port", "19292"));
        int ours = Integer.parseInt(opts.getOrDefault("connect-port", "18283"));
        int peer = ours + 1;
        if (!Files.exists(corpus) || countLines(corpus) != lines) {
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
        deleteRecursively(state.resolve("kafka"));
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
                case "sinks" -> sinks(oursUrl, plugins, ours + 2, runs);
                case "tasks" -> tasks(oursUrl, runs);
                case "live" -> live(oursUrl, Integer.parseInt(opts.getOrDefault("rate", "100000")),
                        Integer.parseInt(opts.getOrDefault("seconds", "70")));
                default -> throw new IllegalArgumentException("unknown --scenario " + scenario + " (batch, tasks, sinks, live)");
            }
            admin.close();
            kafka.close();
            return;
        }
        List<Result> results = new ArrayList<>();
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
                writePrefix(corpus, warm, warmupLines);
            }
            long wl = warmupLines;
            if (peerToo) {
                warmUp("FileStreamSource", k -> fileStream(peerUrl, "w" + k, warm, wl));
            }
            warmUp("LogBunker", k -> pipeline(oursUrl, "w" + k, warm, wl));
            Map<String, String> variant = keyValues(opts.getOrDefault("variant", ""));
            if (!variant.isEmpty()) {
                // the variant's own code paths (a histogram's, say) must be compiled before its timed runs too
                warmUp("LogBunker with " + opts.get("variant"), k -> pipeline(oursUrl, "wv" + k, List.of(warm), wl, 1,
                        Integer.parseInt(opts.getOrDefault("parse-threads", "2")), variant, "LogBunker with " + opts.get("variant")));
            }
            if (buildUrl != null) {
                warmUp("LogBunker of " + variantPlugins, k -> pipeline(buildUrl, "wb" + k, warm, wl));
            }
        }
        // --variant "k=v,...": source settings to compare with the defaults; each run then times both, alternating,
        // because runs in one invocation vary less than invocations do (the VM's neighbours come and go)
        Map<String, String> variant = keyValues(opts.getOrDefault("variant", ""));
        for (int r = 1; r <= runs; r++) {
            if (peerToo) {
                results.add(fileStream(peerUrl, Integer.toString(r), corpus, lines));
            }
            results.add(pipeline(oursUrl, Integer.toString(r), corpus, lines));
            if (buildUrl != null) {
                results.add(pipeline(buildUrl, r + "b", List.of(corpus), lines, 1,
                        Integer.parseInt(opts.getOrDefault("parse-threads", "2")), Map.of(), "LogBunker of " + variantPlugins));
            }
            if (!variant.isEmpty()) {
                results.add(pipeline(oursUrl, r + "v", List.of(corpus), lines, 1,
                        Integer.parseInt(opts.getOrDefault("parse-threads", "2")), variant,
                        "LogBunker with " + opts.get("variant")));
            }
        }
        admin.close();
        kafka.close();
        String table = table(results, size);
        System.out.println(table);
        Files.writeString(state.resolve("results.md"), table);
    }

    interface WarmUpRun {
        Result run(int round) throws Exception;
    }

    /**
     * Discarded runs until the worker's JIT has settled: its compiler threads use under 5% of the worker's CPU in a
     * run, or no less than 3/4 of what they used in the run before (a worker keeps compiling ~1.5 s per run of
     * lukewarm code, REST handling and the like, however long it runs); at most --max-warmups runs (5), none with
     * --warmup-lines 0. --warmup-plateau F replaces the 3/4 (a large F: only the 5% rule and the maximum stop them;
     * per ad the compiler threads still took 0.9-2.2 s of each timed run after 12 warm-ups, BENCHMARKS.md section 25).
     */
    private void warmUp(String what, WarmUpRun run) throws Exception {
        if (Long.parseLong(opts.getOrDefault("warmup-lines", "1")) == 0) {
            return;
        }
        int max = Integer.parseInt(opts.getOrDefault("max-warmups", "5"));
        double plateau = Double.parseDouble(opts.getOrDefault("warmup-plateau", "0.75"));
        double previous = Double.MAX_VALUE;
        for (int k = 1; k <= max; k++) {
            System.out.printf("Warm-up %d of %s (not counted):%n", k, what);
            Result r = run.run(k);
            double jit = r.cpuSeconds().getOrDefault("jit", 0.0);
            double workers = r.cpuSeconds().getOrDefault("workers", 0.0);
            if (jit < 0.05 * workers || jit >= plateau * previous) {
                return;
            }
            previous = jit;
        }
        System.out.printf("(the JIT was still settling after %d warm-up runs; timing anyway)%n", max);
    }

    private Result fileStream(String url, String run, Path input, long lines) throws Exception {
        String topic = "filestream-" + run;
        createTopic(topic, 1);
        ObjectNode c = JSON.createObjectNode();
        c.put("name", topic);
        c.put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector");
        c.put("tasks.max", "1");
        c.put("file", input.toString());
        c.put("topic", topic);
        c.put("batch.size", "2000");
        c.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        readThrough(List.of(input));
        Map<String, Long> cpu0 = cpu();
        long t0 = System.nanoTime();
        kafka.putConnector(url, c);
        while (endOffset(topic, 1) < lines) {
            kafka.checkChildren();
            Thread.sleep(100);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Result res = new Result("FileStreamSource (raw lines, no parsing, no EOS)", secs, lines, cpuSince(cpu0), topicBytes(topic) / (double) lines);
        deleteConnector(url, topic);
        dropTopic(topic);
        report(res);
        return res;
    }

    private Result pipeline(String url, String run, Path input, long lines) throws Exception {
        return pipeline(url, run, List.of(input), lines, 1, Integer.parseInt(opts.getOrDefault("parse-threads", "2")),
                "LogBunker: parse + aggregate (EOS) → Kafka → upsert → PostgreSQL");
    }

    private Result pipeline(String url, String run, List<Path> inputs, long lines, int tasks, int parseThreads, String scenario)
            throws Exception {
        return pipeline(url, run, inputs, lines, tasks, parseThreads, Map.of(), scenario);
    }

    /** Throws when a task of one of the connectors is FAILED, with the first line of its trace. */
    private void failIfFailed(String url, String... connectors) {
        for (String c : connectors) {
            String st = kafka.taskState(url, c);
            if (st.contains("FAILED")) {
                throw new IllegalStateException("a task of " + c + " failed: " + st);
            }
        }
    }

    /** "k=v,k2=v2" as a map; empty for "". */
    /** "k=v,k2=v2"; a piece without '=' continues the value before it ("metrics=request_time:sum,histogram"). */
    private static Map<String, String> keyValues(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        String last = null;
        for (String kv : spec.split(",")) {
            if (kv.contains("=")) {
                last = kv.substring(0, kv.indexOf('=')).trim();
                m.put(last, kv.substring(kv.indexOf('=') + 1).trim());
            } else if (last != null) {
                m.put(last, m.get(last) + "," + kv.trim());
            }
        }
        return m;
    }

    private Result pipeline(String url, String run, List<Path> inputs, long lines, int tasks, int parseThreads,
                            Map<String, String> sourceOverrides, String scenario) throws Exception {
        String topic = "bench-metrics-" + run + "-" + id;
        String table = "bench_metrics_" + run + "_" + id;
        // --partitions N: the metrics topic's partitions (3, connect-configs/kafka-server.properties' num.partitions);
        // a variant's "topic.partitions=N" overrides it for its runs
        sourceOverrides = new java.util.LinkedHashMap<>(sourceOverrides);
        String partitions = sourceOverrides.remove("topic.partitions");
        // a variant's "bench.completion=every-second" looks for the end as this harness did before (see RunCompletion)
        boolean everySecond = "every-second".equals(sourceOverrides.remove("bench.completion"));
        int topicPartitions = Integer.parseInt(partitions != null ? partitions : opts.getOrDefault("partitions", "3"));
        createTopic(topic, topicPartitions);
        Path dir = state.resolve("run-" + run);
        deleteRecursively(dir);
        Files.createDirectories(dir);
        for (int k = 0; k < inputs.size(); k++) {
            // same bytes, new path: a fresh file for the source (identity = content; each run's connector is new)
            Files.createLink(dir.resolve("access-" + k + ".log"), inputs.get(k));
        }
        ObjectNode sink = JSON.createObjectNode();
        sink.put("name", "bench-sink-" + run + "-" + id);
        sink.put("connector.class", "io.logbunker.connect.sink.AggregateUpsertSinkConnector");
        sink.put("tasks.max", opts.getOrDefault("sink-tasks", "1"));
        sink.put("topics", topic);
        sink.put("connection.url", pgUrl);
        sink.put("connection.user", pgUser);
        sink.put("table.name.format", table);
        sink.put("consumer.override.isolation.level", "read_committed");
        sink.put("consumer.override.max.poll.records", "5000");
        // --sink "k=v,...": sink settings of every LogBunker run; a variant's "sink.k=v" sets k on its runs' sink
        keyValues(opts.getOrDefault("sink", "")).forEach(sink::put);
        for (String key : List.copyOf(sourceOverrides.keySet())) {
            if (key.startsWith("sink.")) {
                sink.put(key.substring("sink.".length()), sourceOverrides.remove(key));
            }
        }
        ObjectNode source = JSON.createObjectNode();
        source.put("name", "bench-source-" + run + "-" + id);
        source.put("connector.class", "io.logbunker.connect.source.AccessLogSourceConnector");
        source.put("tasks.max", Integer.toString(tasks));
        source.put("exactly.once.support", "required");
        source.put("files", dir.resolve("access-*.log").toString());
        source.put("log.format", format);
        source.put("group.by", "status,arg_ev,arg_ad");
        source.put("topic", topic);
        source.put("flush.idle.ms", "500");
        source.put("parse.threads", Integer.toString(parseThreads));
        if (fillingForSinks) { // many small aggregates: about one record per 9 lines
            source.put("window.size.ms", "1000");
            source.put("window.grace.ms", "0");
        }
        // producer.override.* settings: by default those of connect-configs/access-log-source.json (measured: lz4 and
        // 1 MiB batches cut Kafka bytes per line from 7.1 to 0.28 and the broker's CPU by half); --producer "" for none
        keyValues(opts.getOrDefault("producer", "compression.type=lz4,linger.ms=5,batch.size=1048576"))
                .forEach((k, v) -> source.put("producer.override." + k, v));
        // --source "k=v,...": settings of every LogBunker run (e.g. group.by), before the variant's
        keyValues(opts.getOrDefault("source", "")).forEach(source::put);
        // a variant's "sink.k=v" is the sink's setting k, the rest the source's
        sourceOverrides.forEach((k, v) -> {
            if (k.startsWith("sink.")) {
                sink.put(k.substring(5), v);
            } else {
                source.put(k, v);
            }
        });
        // converters are a pipeline setting: the sink reads what the source wrote
        for (String k : List.of("key.converter", "value.converter")) {
            if (source.has(k)) {
                sink.put(k, source.get(k).asText());
            }
        }
        readThrough(inputs);
        Map<String, Long> cpu0 = cpu();
        long t0 = System.nanoTime();
        kafka.putConnector(url, sink);
        kafka.putConnector(url, source);
        long seen = 0;
        boolean timeline = Boolean.parseBoolean(opts.getOrDefault("timeline", "false"));
        long inputBytes = 0;
        for (Path input : inputs) {
            inputBytes += Files.size(input);
        }
        try (Connection db = DriverManager.getConnection(pgUrl, pgUser, opts.getOrDefault("pg-password", ""));
             RunCompletion completion = new RunCompletion("127.0.0.1:" + kafkaPort, offsetsTopics.get(url),
                     "bench-source-" + run + "-" + id, inputBytes, everySecond)) {
            for (int poll = 0; seen < lines; poll++) {
                kafka.checkChildren();
                if (poll % STATUS_EVERY_POLLS == 0) {
                    failIfFailed(url, "bench-source-" + run + "-" + id, "bench-sink-" + run + "-" + id);
                }
                Thread.sleep(100);
                if (completion.due(() -> stableEnds(topic, topicPartitions), ends -> sinkCaughtUp(db, "bench-sink-" + run + "-" + id, ends))) {
                    seen = tableRequests(db, table);
                }
                if (timeline) {
                    System.out.printf("  t=%5.2f s  topic end offsets %,9d  table requests %,11d%n", (System.nanoTime() - t0) / 1e9,
                            endOffset(topic, topicPartitions), seen);
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
            Map<String, Double> cpuSecs = cpuSince(cpu0);
            long[] records = committedRecords(topic, topicPartitions);
            long[] rows = tableRows(db, table);
            Result res = new Result(scenario, secs, lines, cpuSecs, topicBytes(topic) / (double) lines, records[0],
                    rows[0], records[1], rows[1]);
            deleteConnector(url, "bench-source-" + run + "-" + id);
            deleteConnector(url, "bench-sink-" + run + "-" + id);
            if (!fillingForSinks) { // sinks() reads the topic afterwards
                dropTopic(topic);
            }
            try (Statement s = db.createStatement()) {
                s.execute("DROP TABLE IF EXISTS \"" + table + "\"");
            }
            report(res);
            return res;
        }
    }

    /**
     * Task scaling: two files of half the corpus each, one connector with tasks.max=1 and then 2 (parse.threads=1, so
     * each task parses on one core), alternating. Files go to tasks by a hash of their identity, so the second file
     * starts with a line chosen to land on the other task than the first.
     */
    private void tasks(String url, int runs) throws Exception {
        long half = lines / 2;
        Path dir = state.resolve("tasks-input");
        Files.createDirectories(dir);
        Path a = dir.resolve("a.log");
        writePrefix(corpus, a, half);
        String first = Files.newBufferedReader(a, java.nio.charset.StandardCharsets.ISO_8859_1).readLine();
        Path b = dir.resolve("b.log");
        int taskOfA = taskOf(a);
        String header = null;
        for (int i = 1; header == null; i++) {
            String candidate = "192.0.2." + i + first.substring(first.indexOf(' ')) + "\n";
            Path probe = dir.resolve("probe");
            Files.writeString(probe, candidate, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (taskOf(probe) != taskOfA) {
                header = candidate;
            }
            Files.delete(probe);
        }
        if (countLines(b) != half + 1) {
            try (var out = Files.newOutputStream(b); var in = Files.newInputStream(a)) {
                out.write(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                in.transferTo(out);
            }
        }
        long total = 2 * half + 1;
        warmUp("LogBunker, 2 tasks", k -> pipeline(url, "wt" + k, List.of(a, b), total, 2, 1, "warm-up"));
        List<Result> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (int tasks = 1; tasks <= 2; tasks++) {
                Result res = pipeline(url, r + "t" + tasks, List.of(a, b), total, tasks, 1,
                        "LogBunker, 2 files, parse.threads=1, tasks.max=" + tasks);
                results.add(res);
            }
        }
        String table = table(results, Files.size(a) + Files.size(b));
        System.out.println(table);
        Files.writeString(state.resolve("results-tasks.md"), table);
    }

    /**
     * Sink against sink: our sink and Debezium's JDBC sink (io.debezium:debezium-connector-jdbc, its plugin directory
     * given with --debezium-plugin) each read the same topic of aggregate records into their own PostgreSQL table, on
     * one worker without exactly-once that commits consumer offsets every 250 ms; timed from registering the connector
     * until its consumer group's committed offsets reach the offset after the last committed record. The topic is filled first by our
     * source from a prefix of the corpus with 1 s windows (about one record per 8 lines). Debezium runs in its upsert
     * mode keyed by the record key: it overwrites a row with the latest partial where ours adds the partials, so its
     * table is not a correct total; the comparison is of write throughput only.
     */
    private void sinks(String sourceUrl, String plugins, int restPort, int runs) throws Exception {
        String debezium = opts.get("debezium-plugin");
        if (debezium == null || !Files.isDirectory(Paths.get(debezium))) {
            throw new IllegalArgumentException("--debezium-plugin <dir with debezium-connector-jdbc and its jars> is required");
        }
        String url = kafka.startWorker("worker-sinks", kafkaPort, restPort, plugins + "," + Paths.get(debezium).getParent(),
                Map.of("group.id", "bench-sinks", "exactly.once.source.support", "disabled", "offset.flush.interval.ms", "250",
                        "config.storage.topic", "bench-sinks-configs", "offset.storage.topic", "bench-sinks-offsets",
                        "status.storage.topic", "bench-sinks-status"),
                List.of("AggregateUpsertSinkConnector", "JdbcSinkConnector"));
        long fillLines = Long.parseLong(opts.getOrDefault("fill-lines", "4000000"));
        Path fill = corpus.resolveSibling(corpus.getFileName() + ".warmup");
        writePrefix(corpus, fill, fillLines);
        String topic = "bench-metrics-sinkfill-" + id;
        fillingForSinks = true;
        pipeline(sourceUrl, "sinkfill", List.of(fill), fillLines, 1, 2, "fill the topic (1 s windows)");
        fillingForSinks = false;
        // A sink reports (and commits) the offset after the last record it wrote; a transactional topic's end offset
        // lies past the final commit marker. So each sink is done when its group's committed offsets reach, per
        // partition, the offset after the last committed record.
        Map<TopicPartition, Long> done = new HashMap<>();
        int partitions = Integer.parseInt(opts.getOrDefault("partitions", "3"));
        long records = readCommitted(topic, partitions, done);
        long target = done.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("topic %s: %,d aggregate records in %,d offsets (the rest are transaction markers)%n", topic,
                records, endOffset(topic, partitions));
        // both sinks run on the one worker, so a warm-up round is one run of each, repeated until its JIT settles
        warmUp("both sinks", k -> {
            Result a = sinkRun(url, "ours", "w" + k, topic, target, records, fillLines, debezium);
            Result b = sinkRun(url, "debezium", "w" + k, topic, target, records, fillLines, debezium);
            Map<String, Double> cpu = new HashMap<>(a.cpuSeconds());
            b.cpuSeconds().forEach((key, v) -> cpu.merge(key, v, Double::sum));
            return new Result("warm-up", a.seconds() + b.seconds(), records, cpu, 0);
        });
        List<Result> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (String which : List.of("ours", "debezium")) {
                results.add(sinkRun(url, which, Integer.toString(r), topic, target, records, fillLines, debezium));
            }
        }
        String table = table(results, 0);
        System.out.println(table);
        Files.writeString(state.resolve("results-sinks.md"), table);
    }

    /** One sink connector over the whole topic, timed until its committed offsets reach {@code target}. */
    private Result sinkRun(String url, String which, String run, String topic, long target, long records, long fillLines,
                           String debezium) throws Exception {
        String name = "sink-" + which + "-" + run + "-" + id;
        ObjectNode c = JSON.createObjectNode();
        c.put("name", name);
        c.put("topics", topic);
        c.put("tasks.max", "1");
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("consumer.override.max.poll.records", "5000");
        if (which.equals("ours")) {
            c.put("connector.class", "io.logbunker.connect.sink.AggregateUpsertSinkConnector");
            c.put("connection.url", pgUrl);
            c.put("connection.user", pgUser);
            c.put("table.name.format", name.replace('-', '_'));
        } else {
            c.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
            c.put("connection.url", pgUrl);
            c.put("connection.username", pgUser);
            c.put("connection.password", opts.getOrDefault("pg-password", ""));
            c.put("insert.mode", "upsert");
            c.put("primary.key.mode", "record_key");
            c.put("schema.evolution", "basic");
            c.put("batch.size", "5000");
            c.put("collection.name.format", name.replace('-', '_'));
        }
        Map<String, Long> cpu0 = cpu();
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MINUTES.toNanos(15);
        kafka.putConnector(url, c);
        for (int poll = 0; committed("connect-" + name) < target; poll++) {
            kafka.checkChildren();
            if (poll % (2 * STATUS_EVERY_POLLS) == 0 && kafka.taskState(url, name).contains("FAILED")) {
                throw new IllegalStateException(which + " sink failed: " + kafka.get(url, "/connectors/" + name + "/status"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(which + " sink did not finish in 15 minutes: committed "
                        + committed("connect-" + name) + " of " + target);
            }
            Thread.sleep(50);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> cpuSecs = cpuSince(cpu0); // before the delete: its database sessions end with it
        deleteConnector(url, name);
        try (Connection db = DriverManager.getConnection(pgUrl, pgUser, opts.getOrDefault("pg-password", ""));
             Statement st = db.createStatement()) {
            if (which.equals("ours") && tableRequests(db, name.replace('-', '_')) != fillLines) {
                throw new IllegalStateException("our sink's table does not total " + fillLines + " requests");
            }
            st.execute("DROP TABLE IF EXISTS \"" + name.replace('-', '_') + "\"");
        }
        Result res = new Result(which.equals("ours") ? "LogBunker sink (additive upsert; new rows by COPY)"
                : "Debezium JDBC sink " + debeziumVersion(debezium) + " (upsert, record_key)", secs, records, cpuSecs, 0);
        System.out.printf("run %s %-45s %6.2f s  %,10.0f records/s  cpu %s%n", run, res.scenario(), secs, records / secs, cpuSecs);
        return res;
    }

    /** Set while sinks() fills its topic: 1 s windows, and the topic is kept. */
    private boolean fillingForSinks;

    /**
     * Prepares a timed run: reads the inputs once, so that both connectors find them in the page cache, as a log that
     * nginx has just written is (without it, the earlier runs' topics, 5.7 GB per FileStreamSource run, evicted the
     * corpus and some runs measured the disk); then writes back what earlier runs left dirty ({@code sync}), since
     * gigabytes of a FileStreamSource topic still being written back made PostgreSQL's commits (fsync) wait for
     * seconds in the run after it.
     */
    private static void readThrough(List<Path> inputs) throws IOException {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1 << 22);
        for (Path in : inputs) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(in)) {
                while (ch.read(buf) >= 0) {
                    buf.clear();
                }
            }
        }
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor(300, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for sync", e);
        }
    }

    /** Deletes a run's topic, so that the runs' topics do not pile up in the page cache and on disk. */
    private void dropTopic(String topic) throws Exception {
        admin().deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    }

    /** The version in the name of the plugin directory's debezium-connector-jdbc jar. */
    private static String debeziumVersion(String dir) throws IOException {
        try (Stream<Path> jars = Files.list(Paths.get(dir))) {
            return jars.map(j -> j.getFileName().toString()).filter(n -> n.startsWith("debezium-connector-jdbc-"))
                    .map(n -> n.substring("debezium-connector-jdbc-".length(), n.length() - ".jar".length())).findFirst().orElse("?");
        }
    }

    /**
     * Reads a topic with {@code read_committed} from the start to its end offsets; returns the number of records and
     * fills {@code nextAfterLast} with, per partition, the offset after its last committed record.
     */
    private long readCommitted(String topic, int partitions, Map<TopicPartition, Long> nextAfterLast) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
        p.put("isolation.level", "read_committed");
        p.put("max.poll.records", "10000");
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        long count = 0;
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                p, new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in 5 minutes");
                }
                for (var rec : consumer.poll(java.time.Duration.ofMillis(500))) {
                    count++;
                    nextAfterLast.merge(new TopicPartition(rec.topic(), rec.partition()), rec.offset() + 1, Math::max);
                }
            }
        }
        return count;
    }

    /** The topic's last stable offsets (what a read_committed consumer can read up to), by partition. */
    private Map<Integer, Long> stableEnds(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        admin().listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    /**
     * True when the sink's stored next offset of every partition has reached the topic's last stable offset (less the
     * final transaction marker): everything committed to the topic so far is in the table.
     */
    private boolean sinkCaughtUp(Connection db, String connector, Map<Integer, Long> ends) throws Exception {
        Map<Integer, Long> stored = new HashMap<>();
        try (var ps = db.prepareStatement("SELECT kafka_partition, next_offset FROM logbunker_sink_offsets WHERE connector_name = ?")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getInt(1), rs.getLong(2));
                }
            } 
        } catch (java.sql.SQLException e) {
            return false; // not created yet
        }
        for (var e : ends.entrySet()) {
            long lso = e.getValue();
            if (lso > 0 && stored.getOrDefault(e.getKey(), -1L) < lso - 1) {
                return false;
            }
        }
        return true;
    }

    /** The table's rows and distinct windows. */
    private static long[] tableRows(Connection db, String table) throws java.sql.SQLException {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT window_start) FROM \"" + table + "\"")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** The committed records of a topic and their serialized value bytes (uncompressed), read once to the end. */
    private long[] committedRecords(String topic, int partitions) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put("max.poll.records", "10000");
        long end = endOffset(topic, partitions);
        long records = 0;
        long bytes = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (tps.stream().mapToLong(consumer::position).sum() < end && System.nanoTime() < deadline) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
                    records++;
                    bytes += r.serializedValueSize();
                }
            }
        }
        return new long[] {records, bytes};
    }

    /** {@code SUM(requests)} of a table, 0 while the sink has not created it. */
    private static long tableRequests(Connection db, String table) {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(requests), 0) FROM \"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }

    /** Sum of the committed offsets of a consumer group (0 before it has committed). */
    private long committed(String group) throws Exception {
        return admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).values().stream()
                .filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum();
    }

    /** The task (of 2) that a file goes to: {@code hash(identity) mod 2}, as the source assigns files. */
    private static int taskOf(Path file) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            return Math.floorMod(io.logbunker.connect.source.tail.Fingerprints.identity(ch, 65536).hashCode(), 2);
        }
    }

    /**
     * Live tailing: a writer appends {@code rate} lines/s stamped with the current time while the pipeline runs with
     * 10 s windows and 2 s grace. Reports, per closed window, the latency from window end until the table holds the
     * window's exact total, and the source's committed-offset lag over time.
     */
    private void live(String url, int rate, int seconds) throws Exception {
        String topic = "live-metrics-" + id;
        String table = "live_metrics_" + id;
        createTopic(topic, 3);
        Path dir = state.resolve("live");
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Path log = dir.resolve("access.log");
        Files.createFile(log);
        ObjectNode sink = JSON.createObjectNode();
        sink.put("name", "live-sink-" + id);
        sink.put("connector.class", "io.logbunker.connect.sink.AggregateUpsertSinkConnector");
        sink.put("topics", topic);
        sink.put("connection.url", pgUrl);
        sink.put("connection.user", pgUser);
        sink.put("table.name.format", table);
        sink.put("consumer.override.isolation.level", "read_committed");
        ObjectNode source = JSON.createObjectNode();
        source.put("name", "live-source-" + id);
        source.put("connector.class", "io.logbunker.connect.source.AccessLogSourceConnector");
        source.put("exactly.once.support", "required");
        source.put("files", log.toString());
        source.put("log.format", format);
        source.put("group.by", "status,arg_ev");
        source.put("topic", topic);
        source.put("window.size.ms", "10000");
        source.put("window.grace.ms", "2000");
        source.put("flush.idle.ms", "2000");
        kafka.putConnector(url, sink);
        kafka.putConnector(url, source);
        Thread.sleep(3000);

        Map<Long, Long> truth = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            java.time.format.DateTimeFormatter tl = java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.ENGLISH)
                    .withZone(java.time.ZoneOffset.UTC);
            try (var out = Files.newOutputStream(log, java.nio.file.StandardOpenOption.APPEND)) {
                long next = System.nanoTime();
                int perTick = rate / 100;
                StringBuilder sb = new StringBuilder(perTick * 200);
                java.util.Random rnd = new java.util.Random(1);
                while (writing.get()) {
                    long now = System.currentTimeMillis();
                    String t = tl.format(java.time.Instant.ofEpochMilli(now));
                    sb.setLength(0);
                    for (int i = 0; i < perTick; i++) {
                        sb.append("10.0.").append(rnd.nextInt(256)).append('.').append(rnd.nextInt(256)).append(" - - [").append(t)
                                .append("] \"GET /t?ev=").append(rnd.nextInt(5) == 0 ? "click" : "impression").append("&ad=")
                                .append(rnd.nextInt(200)).append(" HTTP/1.1\" 200 43 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" 0.001\n");
                    }
                    out.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    truth.merge(now / 1000 * 1000 / 10_000 * 10_000, (long) perTick, Long::sum);
                    next += 10_000_000L;
                    Corpus.sleepUntil(next);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "live-writer");
        writer.start();
        Map<Long, Double> latency = new java.util.TreeMap<>();
        List<Long> lagSamples = new ArrayList<>();
        long end = System.currentTimeMillis() + seconds * 1000L;
        try (Connection db = DriverManager.getConnection(pgUrl, pgUser, opts.getOrDefault("pg-password", ""))) {
            while (System.currentTimeMillis() < end) {
                Thread.sleep(100);
                long now = System.currentTimeMillis();
                try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT EXTRACT(EPOCH FROM window_start) * 1000, "
                        + "SUM(requests) FROM \"" + table + "\" GROUP BY 1")) {
                    while (rs.next()) {
                        long w = (long) rs.getDouble(1);
                        Long expect = truth.get(w);
                        if (expect != null && now > w + 10_000 + 1000 && !latency.containsKey(w) && rs.getLong(2) == expect) {
                            latency.put(w, (now - (w + 10_000)) / 1000.0);
                        }
                    }
                } catch (java.sql.SQLException e) {
                    // no table yet
                }
                if (now % 1000 < 100) {
                    lagSamples.add(lag(url, log));
                }
            }
        }
        writing.set(false);
        writer.join();
        System.out.printf("%nLive tailing at %,d lines/s for %d s, 10 s windows, window.grace.ms=2000:%n", rate, seconds);
        System.out.printf("window-to-database latency per window (s, window end -> exact total in the table): %s%n", latency.values());
        System.out.printf("committed-offset lag samples (MB, one per second): %s%n", lagSamples.stream()
                .map(b -> String.format("%.0f", b / 1048576.0)).collect(Collectors.joining(" ")));
        deleteConnector(url, "live-source-" + id);
        deleteConnector(url, "live-sink-" + id);
    }

    private long lag(String url, Path log) {
        try {
            long size = Files.size(log);
            for (com.fasterxml.jackson.databind.JsonNode o : kafka.getJson(url, "/connectors/live-source-" + id + "/offsets").path("offsets")) {
                return size - o.path("offset").path("position").asLong();
            }
            return size;
        } catch (Exception e) {
            return -1;
        }
    }

    private void report(Result r) {
        System.out.printf("%-70s %6.1f s  %,12.0f lines/s  cpu %s  %.3f Kafka bytes/line%s%n", r.scenario(), r.seconds(),
                r.linesPerSecond(), r.cpuSeconds(), r.kafkaBytesPerLine(), r.rows() == 0 ? ""
                        : String.format("  %,d records, %,d rows in %d windows (%,d rows per window, %.2f records per row, %.0f "
                                + "bytes per record, %,.0f rows/s)", r.records(), r.rows(), r.windows(), r.rows() / Math.max(1, r.windows()),
                        (double) r.records() / r.rows(), (double) r.recordBytes() / Math.max(1, r.records()), r.rows() / r.seconds()));
    }

    private String table(List<Result> results, long corpusBytes) {
        Map<String, List<Result>> by = results.stream().collect(Collectors.groupingBy(Result::scenario, LinkedHashMap::new, Collectors.toList()));
        StringBuilder sb = new StringBuilder();
        long n = results.isEmpty() ? 0 : results.get(0).lines();
        sb.append(String.format("%n%,d %s, %d runs each, alternating; per second from connector registration until the "
                + "output is complete%n%n", n, corpusBytes > 0 ? String.format("lines, %,d bytes", corpusBytes) : "records",
                results.size() / Math.max(1, by.size())));
        boolean lines = corpusBytes > 0;
        sb.append(lines ? "| scenario | lines/s min | median | max | CPU s broker / worker (of it JIT) / postgres (median run) | Kafka bytes per input line "
                + "| rows per window / records per row / bytes per record / rows/s (median run) |\n"
                : "| scenario | records/s min | median | max | CPU s broker / worker (of it JIT) / postgres (median run) |\n");
        sb.append(lines ? "| --- | --- | --- | --- | --- | --- | --- |\n" : "| --- | --- | --- | --- | --- |\n");
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Map.Entry<String, List<Result>> e : by.entrySet()) {
            List<Result> rs = new ArrayList<>(e.getValue());
            rs.sort((a, b) -> Double.compare(a.linesPerSecond(), b.linesPerSecond()));
            Result med = rs.get(rs.size() / 2);
            medians.put(e.getKey(), med.linesPerSecond());
            Map<String, Double> cpu = med.cpuSeconds();
            sb.append(String.format("| %s | %,.0f | %,.0f | %,.0f | %.1f / %.1f (%.1f) / %.1f |%s%n", e.getKey(), rs.get(0).linesPerSecond(),
                    med.linesPerSecond(), rs.get(rs.size() - 1).linesPerSecond(), cpu.getOrDefault("broker", 0.0),
                    cpu.getOrDefault("workers", 0.0), cpu.getOrDefault("jit", 0.0), cpu.getOrDefault("postgres", 0.0),
                    lines ? String.format(" %.3f | %s |", med.kafkaBytesPerLine(), med.rows() == 0 ? ""
                            : String.format("%,d / %.2f / %.0f / %,.0f", med.rows() / Math.max(1, med.windows()),
                            (double) med.records() / med.rows(), (double) med.recordBytes() / Math.max(1, med.records()),
                            med.rows() / med.seconds())) : ""));
        }
        List<Double> m = new ArrayList<>(medians.values());
        List<String> names = new ArrayList<>(medians.keySet());
        if (m.size() == 2 && names.get(0).startsWith("FileStream")) {
            sb.append(String.format("%nRatio (median LogBunker end to end / median FileStreamSource raw shipping): %.2fx%n", m.get(1) / m.get(0)));
        } else if (m.size() == 2 && names.get(1).startsWith("Debezium")) {
            sb.append(String.format("%nRatio (median LogBunker sink / median Debezium JDBC sink): %.2fx%n", m.get(0) / m.get(1)));
        } else if (m.size() == 2) {
            sb.append(String.format("%nScaling (median of the second row / median of the first): %.2fx%n", m.get(1) / m.get(0)));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ measurements

    /** CPU ticks of the broker, the workers, and each postgres process by pid ("pg:<pid>"). */
    private Map<String, Long> cpu() throws IOException {
        Map<String, Long> ticks = new HashMap<>();
        List<Process> ps = kafka.processes();
        ticks.put("broker", ticks(ps.get(0).pid()));
        long workers = 0;
        long jit = 0;
        for (int i = 1; i < ps.size(); i++) {
            workers += ticks(ps.get(i).pid());
            jit += compilerTicks(ps.get(i).pid());
        }
        ticks.put("workers", workers);
        ticks.put("jit", jit);
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).collect(Collectors.toList())) {
                try {
                    String comm = Files.readString(p.resolve("comm")).trim();
                    if (comm.startsWith("postgres") || comm.startsWith("postmaster")) {
                        ticks.put("pg:" + p.getFileName(), ticks(Long.parseLong(p.getFileName().toString())));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // a process that just exited
                }
            }
        }
        return ticks;
    }

    /** Seconds per group; postgres counts processes alive at both samples plus those started since. */
    private Map<String, Double> cpuSince(Map<String, Long> before) throws IOException {
        Map<String, Long> now = cpu();
        Map<String, Double> secs = new LinkedHashMap<>();
        secs.put("broker", (now.get("broker") - before.get("broker")) / (double) CLK_TCK);
        secs.put("workers", (now.get("workers") - before.get("workers")) / (double) CLK_TCK);
        secs.put("jit", (now.get("jit") - before.get("jit")) / (double) CLK_TCK);
        long pg = 0;
        for (Map.Entry<String, Long> e : now.entrySet()) {
            if (e.getKey().startsWith("pg:")) {
                pg += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        secs.put("postgres", pg / (double) CLK_TCK);
        return secs;
    }

    /** utime + stime of a process's JIT compiler threads (HotSpot names them "C1/C2 CompilerThreadN"), in clock ticks. */
    private static long compilerTicks(long pid) throws IOException {
        long sum = 0;
        try (Stream<Path> threads = Files.list(Paths.get("/proc/" + pid + "/task"))) {
            for (Path t : threads.collect(Collectors.toList())) {
                try {
                    if (Files.readString(t.resolve("comm")).contains("CompilerThre")) {
                        sum += ticks(t.resolve("stat"));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // a thread that just exited
                }
            }
        }
        return sum;
    }

    /** utime + stime of a process, in clock ticks. */
    private static long ticks(long pid) throws IOException {
        return ticks(Paths.get("/proc/" + pid + "/stat"));
    }

    private static long ticks(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private long topicBytes(String topic) throws IOException {
        long bytes = 0;
        try (Stream<Path> dirs = Files.list(state.resolve("kafka"))) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(topic) + "-\\d+"))
                    .collect(Collectors.toList())) {
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".log")).collect(Collectors.toList())) {
                        bytes += Files.size(f);
                    }
                }
            }
        }
        return bytes;
    }

    private Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
            admin = Admin.create(p);
        }
        return admin;
    }

    private void createTopic(String topic, int partitions) throws Exception {
        // deleted right away when dropped (not 60 s later, in the middle of the next run)
        admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1)
                .configs(Map.of("file.delete.delay.ms", "0")))).all().get(30, TimeUnit.SECONDS);
    }

    private long endOffset(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
    }

    private void deleteConnector(String url, String name) throws Exception {
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/connectors/" + name))
                .DELETE().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
    }

    /** Writes the first {@code n} lines of {@code from} to {@code to} (kept when it is already that file). */
    private static void writePrefix(Path from, Path to, long n) throws IOException {
        if (countLines(to) == n) {
            return;
        }
        long seen = 0;
        byte[] buf = new byte[1 << 20];
        try (var in = Files.newInputStream(from); var out = Files.newOutputStream(to)) {
            int r;
            while (seen < n && (r = in.read(buf)) > 0) {
                int i = 0;
                int upto = r;
                while (seen < n && (i = io.logbunker.connect.source.format.Bytes.indexOf(buf, i, r, (byte) '\n')) >= 0) {
                    seen++;
                    i++;
                    upto = i;
                }
                out.write(buf, 0, seen < n ? r : upto);
            }
        }
    }

    private static long countLines(Path f) throws IOException {
        if (!Files.exists(f)) {
            return -1;
        }
        long n = 0;
        byte[] buf = new byte[1 << 20];
        try (var in = Files.newInputStream(f)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                int i = 0;
                while ((i = io.logbunker.connect.source.format.Bytes.indexOf(buf, i, r, (byte) '\n')) >= 0) {
                    n++;
                    i++;
                }
            }
        }
        return n;
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = s.collect(Collectors.toList());
            Collections.reverse(all);
            for (Path x : all) {
                Files.delete(x);
            }
        }
    }
}
