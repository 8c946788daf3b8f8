package io.logbunker.connect.source.window;

import io.logbunker.connect.source.format.KeyBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Folding, merging the parse threads' aggregates, and the window-close test over several aggregators. */
class WindowAggregatorTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_795_860_000_000L; // a window start

    private static KeyBuffer key(String... values) {
        KeyBuffer k = new KeyBuffer();
        for (String v : values) {
            int at = k.beginValue();
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            k.append(b, 0, b.length);
            k.endValue(at);
        }
        return k;
    }

    private static List<AggregateRow> sorted(List<AggregateRow> rows) {
        List<AggregateRow> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparingLong(AggregateRow::windowStart).thenComparing(r -> String.join("|", r.dimensions())));
        return copy;
    }

    @Test
    void theBranchFreeMinimumIsMathMinForEveryPairIncludingOverflow() {
        long[] edges = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -T0, -1, 0, 1, T0, T0 + MINUTE, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        for (long a : edges) {
            for (long b : edges) {
                assertEquals(Math.min(a, b), WindowAggregator.minWithoutBranch(a, b), a + " " + b);
            }
        }
        Random r = new Random(17);
        for (int i = 0; i < 100_000; i++) {
            long a = r.nextLong();
            long b = i % 2 == 0 ? r.nextLong() : a + r.nextInt(1000) - 500;
            assertEquals(Math.min(a, b), WindowAggregator.minWithoutBranch(a, b), a + " " + b);
        }
    }

    @Test
    void drainingTheWindowsBeforeOneKeepsTheLaterGroupsWithTheirHistogramsOpen() {
        MetricSpec spec = new MetricSpec(List.of(new MetricSpec.Metric("request_time", true, true, true, true, true)), 0.01, 0.001);
        Random random = new Random(7);
        WindowAggregator cut = new WindowAggregator(MINUTE, 0, spec);
        WindowAggregator whole = new WindowAggregator(MINUTE, 0, spec);
        List<Object[]> later = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            long t = T0 + random.nextInt(4 * 60_000);
            KeyBuffer k = key(Integer.toString(200 + random.nextInt(3)), "ad" + random.nextInt(200));
            double[] v = {random.nextInt(20) == 0 ? 0 : Math.exp(random.nextGaussian() - 3)};
            cut.add(t, k, 10, v);
            whole.add(t, k, 10, v);
            if (i == 20_000) {
                // part of the lines arrive after the cut, into the groups kept open and into new ones
                List<AggregateRow> first = cut.drainBefore(T0 + 2 * MINUTE);
                assertTrue(first.stream().allMatch(r -> r.windowStart() < T0 + 2 * MINUTE));
                assertTrue(cut.openGroups() > 0);
                later.add(first.toArray());
            }
        }
        List<AggregateRow> all = new ArrayList<>();
        for (Object[] rows : later) {
            for (Object r : rows) {
                all.add((AggregateRow) r);
            }
        }
        all.addAll(cut.drain());
        // the same lines folded without a cut: the same rows, except that a closed window's late lines add rows
        java.util.Map<String, long[]> byKey = new java.util.TreeMap<>();
        java.util.Map<String, java.util.Map<Integer, Long>> buckets = new java.util.TreeMap<>();
        for (AggregateRow r : all) {
            String key = r.windowStart() + "|" + r.dimensions();
            byKey.computeIfAbsent(key, x -> new long[2])[0] += r.requests();
            java.util.Map<Integer, Long> h = r.metrics().get(0).histogram();
            if (h != null) {
                h.forEach((b, c) -> buckets.computeIfAbsent(key, x -> new java.util.TreeMap<>()).merge(b, c, Long::sum));
            }
        }
        List<AggregateRow> expected = whole.drain();
        assertEquals(expected.size(), byKey.size());
        for (AggregateRow e : expected) {
            String key = e.windowStart() + "|" + e.dimensions();
            assertEquals(e.requests(), byKey.get(key)[0], key);
            assertEquals(new java.util.TreeMap<>(e.metrics().get(0).histogram()), buckets.get(key), key);
        }
    }

    @Test
    void mergingLinesFoldedOnSeveralAggregatorsEqualsFoldingThemOnOne() {
        Random random = new Random(42);
        WindowAggregator one = new WindowAggregator(MINUTE, 0);
        WindowAggregator[] parts = {new WindowAggregator(MINUTE, 0), new WindowAggregator(MINUTE, 0), new WindowAggregator(MINUTE, 0)};
        for (int i = 0; i < 20_000; i++) {
            long t = T0 + random.nextInt(5 * 60_000);
            KeyBuffer k = key(Integer.toString(200 + random.nextInt(4)), "ad" + random.nextInt(300));
            long bytes = random.nextInt(5_000);
            double rt = random.nextInt(10) == 0 ? Double.NaN : random.nextInt(2_000) / 1000.0;
            one.add(t, k, bytes, rt);
            parts[random.nextInt(parts.length)].add(t, k, bytes, rt);
        }
        parts[0].mergeFrom(parts[1]);
        parts[0].mergeFrom(parts[2]);
        assertEquals(0, parts[1].openGroups());
        assertEquals(0, parts[2].openGroups());
        assertEquals(one.watermark(), parts[0].watermark());
        List<AggregateRow> expected = sorted(one.drain());
        List<AggregateRow> merged = sorted(parts[0].drain());
        assertEquals(expected.size(), merged.size());
        for (int i = 0; i < expected.size(); i++) {
            AggregateRow e = expected.get(i);
            AggregateRow m = merged.get(i);
            assertEquals(e.windowStart(), m.windowStart());
            assertEquals(e.dimensions(), m.dimensions());
            assertEquals(e.requests(), m.requests());
            assertEquals(e.bytesSent(), m.bytesSent());
            MetricValues ev = e.metrics().get(0);
            MetricValues mv = m.metrics().get(0);
            assertEquals(ev.count(), mv.count());
            assertEquals(ev.min(), mv.min());
            assertEquals(ev.max(), mv.max());
            assertEquals(ev.sum(), mv.sum(), 1e-6); // added in another order
        }
    }

    @Test
    void aWindowHeldOnlyByAnotherAggregatorClosesWhenTheUnionsWatermarkPassesIt() {
        WindowAggregator task = new WindowAggregator(MINUTE, 5_000);
        WindowAggregator helper = new WindowAggregator(MINUTE, 5_000);
        WindowAggregator[] both = {task, null, helper};
        helper.add(T0 + 30_000, key("200"), 1, 0.1);          // window T0, on the helper only
        task.add(T0 + MINUTE + 4_000, key("200"), 1, 0.1);    // the next window, within T0's grace
        assertFalse(WindowAggregator.windowClosed(both));
        task.add(T0 + MINUTE + 5_000, key("404"), 1, 0.1);    // end of T0 + grace, seen by the task thread
        assertFalse(task.windowClosed(), "the task thread's own oldest window is not closed");
        assertTrue(WindowAggregator.windowClosed(both), "window T0 is closed, though only the helper has its groups");
        assertEquals(2, WindowAggregator.openWindows(both));
    }

    @Test
    void theUnionIsOpenWhenNothingIsAggregated() {
        WindowAggregator a = new WindowAggregator(MINUTE, 0);
        WindowAggregator b = new WindowAggregator(MINUTE, 0);
        b.add(T0, key("200"), 1, Double.NaN);
        b.add(T0 + 2 * MINUTE, key("200"), 1, Double.NaN);
        a.mergeFrom(b);
        a.drain();
        assertFalse(WindowAggregator.windowClosed(new WindowAggregator[] {a, b}), "no open group, whatever the watermark");
        assertEquals(0, WindowAggregator.openWindows(new WindowAggregator[] {a, b}));
    }
}
