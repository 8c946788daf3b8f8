package io.logbunker.bench;

import io.logbunker.connect.source.format.Bytes;
import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.WindowAggregator;
import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.window.MetricSpec;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One thread, the source's per-line hot path exactly as the tailer runs it: find the line end, split the line,
 * parse time and numbers, build the (status, arg_ev, arg_ad) key, fold it into the window aggregator, and drain
 * the aggregator whenever a window closes. Score: lines per second (one operation = one line).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// the heap pre-touched, as a worker's is after its first minutes: otherwise a fork's passes through its fresh eden
// fault in new pages, and the kernel's zeroing of them is charged to whichever shape allocates more (section 11)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 4)
public class ParseAggregateBenchmark {
    static final int LINES = 200_000;

    /**
     * standard: the corpus and record of the benchmarks so far; latencies: request and upstream times as a proxied
     * service has them, default metrics (request_time sum, min, max); histograms: the same lines with
     * {@link Corpus#LATENCY_METRICS}, histograms on both times.
     */
    @Param({"standard", "latencies", "histograms"})
    public String shape;

    byte[] corpus;
    MetricSpec metrics;
    int lines;
    LineFolder folder;
    WindowAggregator aggregator;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        boolean latencyCorpus = !shape.equals("standard");
        byte[] built = latencyCorpus ? Corpus.buildWithLatencies(80L << 20, 1_795_860_000L, 20_000, 200)
                : Corpus.build(80L << 20, 1_795_860_000L, 20_000);
        String format = latencyCorpus ? Corpus.LATENCY_FORMAT : Corpus.FORMAT;
        metrics = MetricSpec.parse(shape.equals("histograms") ? Corpus.LATENCY_METRICS : "", LogFormat.compile(format), 0.01, 0.001);
        int end = 0;
        while (lines < LINES) {
            if (built[end++] == '\n') {
                lines++;
            }
        }
        corpus = java.util.Arrays.copyOf(built, end);
        folder = new LineFolder(format, List.of("status", "arg_ev", "arg_ad"), metrics);
        int rejected = pass(new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous."));
        if (rejected > lines / 10_000) {
            throw new IllegalStateException(rejected + " corpus lines were rejected");
        }
        // (the real logs' truncated user agent cannot be followed by a request time: that one line is rejected)
        System.out.printf("%ncorpus: %,d lines, %,d bytes (%.0f bytes/line), %d rejected%n", lines, corpus.length,
                (double) corpus.length / lines, rejected);
    }

    /** The score is per line: one invocation processes LINES lines. */
    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(LINES)
    public int wholeCorpus(Blackhole bh) {
        return pass(bh);
    }

    int pass(Blackhole bh) {
        // a fresh aggregator per pass: replaying the same event times into one aggregator would make every line
        // late after the first pass, which is not the path production takes
        aggregator = new WindowAggregator(60_000, 5_000, metrics);
        byte[] b = corpus;
        int start = 0;
        int rejected = 0;
        int i;
        while ((i = Bytes.indexOf(b, start, b.length, (byte) '\n')) >= 0) {
            if (folder.parse(b, start, i - start) == null) {
                folder.foldInto(aggregator);
                if (aggregator.windowClosed()) {
                    List<AggregateRow> rows = aggregator.drain();
                    bh.consume(rows);
                }
            } else {
                rejected++;
            }
            start = i + 1;
        }
        bh.consume(aggregator.drain());
        return rejected;
    }
}
