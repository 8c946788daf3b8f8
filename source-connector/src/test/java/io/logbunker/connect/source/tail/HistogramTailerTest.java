package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.MetricValues;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.connect.testkit.RawLatencyCount;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Histograms through the tailer under every read profile: heavy-tailed request times and upstream lists with
 * {@code -}, read in pieces with a restart from the stored offsets in the middle, flushed as many partials. The bucket
 * counts of all partials add up, per (window, status, bucket), to the counts computed from the raw file by
 * {@link RawLatencyCount}, which knows nothing of the project's parser.
 */
class HistogramTailerTest {

    static java.util.stream.Stream<TailerProfile> profiles() {
        return TailerProfile.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void bucketCountsOfAllPartialsEqualTheCountsFromTheRawLines(TailerProfile profile, @TempDir Path dir) throws Exception {
        TailerFixture fx = new TailerFixture(dir, profile);
        fx.format = LogWriter.LATENCY_FORMAT;
        fx.metrics = "request_time:sum,max,histogram;upstream_response_time:histogram";
        fx.windowMs = 60_000;
        LogWriter writer = new LogWriter(dir.resolve("access.log"), 7).withLatencies();
        writer.writeLines(9_000);
        fx.drain(fx.tailer());
        writer.writeLines(11_000); // the task restarts and resumes from the stored offsets
        fx.restarted();
        fx.drain(fx.tailer());
        writer.close();

        Map<String, Long> rt = new TreeMap<>();
        Map<String, Long> upstream = new TreeMap<>();
        long rows = 0;
        for (FlushBatch b : fx.batches) {
            for (AggregateRow r : b.rows()) {
                add(rt, r, r.metrics().get(0));
                add(upstream, r, r.metrics().get(1));
                rows++;
            }
        }
        assertEquals(20_000 - writer.badLines(), fx.requests());
        assertEquals(RawLatencyCount.buckets(dir, "access.log", RawLatencyCount.Field.REQUEST_TIME, 60_000, 0.01, 0.001), rt);
        assertEquals(RawLatencyCount.buckets(dir, "access.log", RawLatencyCount.Field.UPSTREAM_RESPONSE_TIME, 60_000, 0.01, 0.001),
                upstream);
        long withUpstream = upstream.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(rt.size() > 500 && withUpstream > 15_000 && withUpstream < fx.requests(),
                "buckets of many values, and upstream lines without a value: " + rt.size() + " buckets, " + withUpstream
                        + " upstream values in " + rows + " rows");
    }

    private static void add(Map<String, Long> into, AggregateRow r, MetricValues v) {
        if (v.histogram() == null) {
            return;
        }
        long inBuckets = 0;
        for (Map.Entry<Integer, Long> e : v.histogram().entrySet()) {
            into.merge(r.windowStart() + "|" + r.dimensions().get(0) + "|" + e.getKey(), e.getValue(), Long::sum);
            inBuckets += e.getValue();
        }
        assertEquals(v.count(), inBuckets, "every value with a value is in exactly one bucket");
    }
}
