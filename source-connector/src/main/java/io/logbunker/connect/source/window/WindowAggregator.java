package io.logbunker.connect.source.window;

import io.logbunker.connect.source.format.KeyBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Folds lines of one file into tumbling event-time windows (UTC epoch aligned) per group. It knows nothing
 * of files or offsets: the caller decides the flush points and drains every open group at each of them.
 */
public final class WindowAggregator {
    private final long windowSizeMs;
    private final long graceMs;
    private GroupTable table;
    /** Per metric: its histogram's buckets and counts, or null without a histogram. */
    private final LogLinearBuckets[] buckets;
    private final BucketCounts[] histograms;
    private final int[] smallestBuckets;
    private final double[] oneValue = new double[1];
    private long watermark = Long.MIN_VALUE;
    private long minOpenWindowStart = Long.MAX_VALUE;
    private long lastEmittedWindowStart = Long.MIN_VALUE;
    /** What {@link #probe} read, kept so that the compiler cannot drop its reads. */
    private long probed;
    private int[] probeGroups = new int[8];

    /** Folds {@code $request_time} as the one metric, without a histogram (the historic record). */
    public WindowAggregator(long windowSizeMs, long graceMs) {
        this(windowSizeMs, graceMs, new MetricSpec(List.of(new MetricSpec.Metric("request_time", true, true, true, true, false)),
                0.01, 0.001));
    }

    public WindowAggregator(long windowSizeMs, long graceMs, MetricSpec metrics) {
        if (windowSizeMs <= 0) {
            throw new IllegalArgumentException("window size must be positive");
        }
        this.windowSizeMs = windowSizeMs;
        this.graceMs = graceMs;
        int n = metrics.metrics().size();
        this.table = new GroupTable(n);
        this.buckets = new LogLinearBuckets[n];
        this.histograms = new BucketCounts[n];
        this.smallestBuckets = new int[n];
        for (int m = 0; m < n; m++) {
            if (metrics.metrics().get(m).histogram()) {
                buckets[m] = LogLinearBuckets.of(metrics.relativeAccuracy(), metrics.minValue());
                smallestBuckets[m] = buckets[m].bucketOf(metrics.minValue());
                histograms[m] = new BucketCounts(smallestBuckets[m]);
            }
        }
    }

    public long windowSizeMs() {
        return windowSizeMs;
    }

    public long graceMs() {
        return graceMs;
    }

    public long windowStartOf(long eventTimeMs) {
        return Math.floorDiv(eventTimeMs, windowSizeMs) * windowSizeMs;
    }

    /** The hash of a (window start, key) in this aggregator's table. */
    static long hash(long windowStart, KeyBuffer key) {
        return GroupTable.hash(windowStart, key.bytes(), key.length());
    }

    /**
     * {@code Math.min(a, b)} in arithmetic, for every pair of longs. A group older than every open one is rare, so a
     * compare there is a branch the compiled fold has usually never taken (on Java 17 {@code Math.min} of longs is
     * one too), and taking it the first time discards the compiled fold and compiles it again in the middle of a run.
     */
    static long minWithoutBranch(long a, long b) {
        long diff = b - a;
        long bLess = (diff ^ ((b ^ a) & (diff ^ b))) >> 63; // all ones when b < a, overflow included (Hacker's Delight 2-12)
        return a ^ ((a ^ b) & bLess);
    }

    /** True when folding a line of this window and key would create a group. */
    public boolean isNewGroup(long windowStart, KeyBuffer key) {
        return table.find(windowStart, key.bytes(), key.length(), hash(windowStart, key)) < 0;
    }

    /**
     * Reads the table memory that folding these parsed lines will read first, each step's reads for all lines issued
     * before any is used, so that their cache misses overlap instead of following one another; changes nothing but
     * the lines' cached hashes. Null entries are skipped.
     */
    public void probe(LineFolder[] lines, int n) {
        GroupTable t = table;
        if (probeGroups.length < n) {
            probeGroups = new int[n];
        }
        int[] groups = probeGroups;
        for (int k = 0; k < n; k++) {
            LineFolder line = lines[k];
            groups[k] = line == null ? -1 : t.firstSlot(line.hashFor(this));
        }
        long read = 0;
        for (int k = 0; k < n; k++) {
            int g = groups[k];
            if (g >= 0) {
                read += t.touchFields(g);
            }
        }
        for (int k = 0; k < n; k++) {
            int g = groups[k];
            if (g >= 0) {
                read += t.touchKey(g);
            }
        }
        probed += read;
    }

    /** Folds one line whose only metric is {@code value} (NaN: none); for aggregators of one metric. */
    public void add(long eventTimeMs, KeyBuffer key, long bytesSent, double value) {
        oneValue[0] = value;
        add(eventTimeMs, key, bytesSent, oneValue);
    }

    /**
     * Folds one line.
     *
     * @param values one per metric, in the order of the {@link MetricSpec}; NaN when the line has no value
     */
    public void add(long eventTimeMs, KeyBuffer key, long bytesSent, double[] values) {
        long window = windowStartOf(eventTimeMs);
        add(eventTimeMs, window, hash(window, key), key, bytesSent, values);
    }

    /** {@link #add(long, KeyBuffer, long, double[])} with the line's window start and {@link #hash} computed already. */
    void add(long eventTimeMs, long window, long h, KeyBuffer key, long bytesSent, double[] values) {
        byte[] k = key.bytes();
        int len = key.length();
        int g = table.find(window, k, len, h);
        if (g < 0) {
            g = table.insert(window, k, len, h);
            minOpenWindowStart = minWithoutBranch(minOpenWindowStart, window);
        }
        table.requests[g]++;
        table.bytesSent[g] = addBytes(table.bytesSent[g], bytesSent, window);
        double[] md = table.metricData;
        for (int m = 0, o = g * table.stride; m < values.length; m++, o += 4) {
            double v = values[m];
            if (v == v) { // not NaN
                md[o + GroupTable.SUM] += v;
                if (v < md[o + GroupTable.MIN]) {
                    md[o + GroupTable.MIN] = v;
                }
                if (v > md[o + GroupTable.MAX]) {
                    md[o + GroupTable.MAX] = v;
                }
                md[o + GroupTable.COUNT] += 1;
                if (histograms[m] != null) {
                    histograms[m].add(g, buckets[m].bucketOf(v));
                }
            }
        }
        if (eventTimeMs > watermark) {
            watermark = eventTimeMs;
        }
    }

    /** A sum of two non-negative byte counts, which wraps to a negative number only when it overflows. */
    private static long addBytes(long sum, long bytes, long window) {
        long r = sum + bytes;
        if (r < 0) {
            throw new IllegalStateException("The bytes sent of one group in the window starting at " + java.time.Instant.ofEpochMilli(window)
                    + " add up to more than " + Long.MAX_VALUE + ": these byte counts cannot be real. The task stops rather than "
                    + "write a wrong sum; exclude the file (files.exclude) or remove its lines with such counts, then restart.");
        }
        return r;
    }

    /**
     * Adds every group of {@code other} (which aggregated other lines of the same file, e.g. on a parse helper
     * thread) into this aggregator, then empties {@code other}. Folding only adds, so the order does not matter.
     */
    public void mergeFrom(WindowAggregator other) {
        GroupTable o = other.table;
        int[] into = new int[o.size];
        for (int g = 0; g < o.size; g++) {
            long window = o.windowStart[g];
            long h = o.hash[g];
            int t = table.find(window, o.arena, o.keyOffset[g], o.keyLength[g], h);
            if (t < 0) {
                t = table.insert(window, o.arena, o.keyOffset[g], o.keyLength[g], h);
                minOpenWindowStart = minWithoutBranch(minOpenWindowStart, window);
            }
            table.requests[t] += o.requests[g];
            table.bytesSent[t] = addBytes(table.bytesSent[t], o.bytesSent[g], window);
            double[] md = table.metricData;
            double[] od = o.metricData;
            for (int a = t * table.stride, b = g * o.stride, end = a + table.stride; a < end; a += 4, b += 4) {
                md[a + GroupTable.SUM] += od[b + GroupTable.SUM];
                md[a + GroupTable.MIN] = Math.min(md[a + GroupTable.MIN], od[b + GroupTable.MIN]);
                md[a + GroupTable.MAX] = Math.max(md[a + GroupTable.MAX], od[b + GroupTable.MAX]);
                md[a + GroupTable.COUNT] += od[b + GroupTable.COUNT];
            }
            into[g] = t;
        }
        for (int m = 0; m < histograms.length; m++) {
            BucketCounts mine = histograms[m];
            BucketCounts theirs = other.histograms[m];
            if (mine != null) {
                mine.addAll(theirs, into);
            }
        }
        if (other.watermark > watermark) {
            watermark = other.watermark;
        }
        o.clear();
        other.minOpenWindowStart = Long.MAX_VALUE;
    }

    /**
     * {@link #windowClosed()} for the union of several aggregators of one file's lines (the task thread's and the
     * parse helpers', before they are merged); null entries are skipped. All must have the same window and grace.
     */
    public static boolean windowClosed(WindowAggregator[] parts) {
        long watermark = Long.MIN_VALUE;
        long oldestOpen = Long.MAX_VALUE;
        WindowAggregator any = null;
        for (WindowAggregator a : parts) {
            if (a == null) {
                continue;
            }
            watermark = Math.max(watermark, a.watermark);
            if (a.table.size() > 0) {
                oldestOpen = Math.min(oldestOpen, a.minOpenWindowStart);
                any = a;
            }
        }
        return any != null && watermark >= oldestOpen + any.windowSizeMs + any.graceMs;
    }

    /** True when the watermark has passed the end plus grace of the oldest open window. */
    public boolean windowClosed() {
        return table.size() > 0 && watermark >= minOpenWindowStart + windowSizeMs + graceMs;
    }

    public int openGroups() {
        return table.size();
    }

    /** Number of distinct windows among the open groups. */
    public int openWindows() {
        return openWindows(new WindowAggregator[] {this});
    }

    /**
     * Number of distinct windows among the open groups of several aggregators; null entries are skipped. Called for
     * every tracked file on every poll (metrics), so an idle file, with no open group, costs a loop and nothing else.
     */
    public static int openWindows(WindowAggregator[] parts) {
        int open = 0;
        for (WindowAggregator a : parts) {
            open += a == null ? 0 : a.table.size();
        }
        if (open == 0) {
            return 0;
        }
        long[] starts = new long[open];
        int n = 0;
        for (WindowAggregator a : parts) {
            if (a != null) {
                System.arraycopy(a.table.windowStart, 0, starts, n, a.table.size());
                n += a.table.size();
            }
        }
        return (int) Arrays.stream(starts).distinct().count();
    }

    public long watermark() {
        return watermark;
    }

    /** Start of the newest window emitted so far, or Long.MIN_VALUE. */
    public long lastEmittedWindowStart() {
        return lastEmittedWindowStart;
    }

    /** Emits every open group as a partial aggregate, in creation order, and forgets them. */
    public List<AggregateRow> drain() {
        return drainAll(null);
    }

    /**
     * Emits the open groups of the windows that start before {@code windowStart}, in creation order, and keeps the
     * others open (for a flush point cut at the first line of the newest window).
     */
    public List<AggregateRow> drainBefore(long windowStart) {
        int n = table.size();
        int[] keep = new int[n];
        GroupTable rest = new GroupTable(table.metrics);
        long restMin = Long.MAX_VALUE;
        for (int g = 0; g < n; g++) {
            long ws = table.windowStart[g];
            if (ws < windowStart) {
                keep[g] = -1;
                continue;
            }
            int t = rest.insert(ws, table.arena, table.keyOffset[g], table.keyLength[g], table.hash[g]);
            rest.requests[t] = table.requests[g];
            rest.bytesSent[t] = table.bytesSent[g];
            System.arraycopy(table.metricData, g * table.stride, rest.metricData, t * rest.stride, table.stride);
            keep[g] = t;
            restMin = Math.min(restMin, ws);
        }
        if (rest.size() == 0) {
            return drainAll(null);
        }
        if (rest.size() == n) {
            return List.of();
        }
        BucketCounts[] restHistograms = new BucketCounts[histograms.length];
        for (int m = 0; m < histograms.length; m++) {
            if (histograms[m] != null) {
                restHistograms[m] = new BucketCounts(smallestBuckets[m]);
                histograms[m].moveGroups(keep, restHistograms[m]);
            }
        }
        List<AggregateRow> closed = drainAll(keep);
        table = rest;
        System.arraycopy(restHistograms, 0, histograms, 0, histograms.length);
        minOpenWindowStart = restMin;
        return closed;
    }

    /** The requests folded into the open groups of one window. */
    public long requestsIn(long windowStart) {
        long n = 0;
        for (int g = 0; g < table.size(); g++) {
            if (table.windowStart[g] == windowStart) {
                n += table.requests[g];
            }
        }
        return n;
    }

    /** Emits the groups not kept ({@code keep[g] < 0}; all when {@code keep} is null) and empties the table. */
    @SuppressWarnings("unchecked")
    private List<AggregateRow> drainAll(int[] keep) {
        int n = table.size();
        int metrics = table.metrics;
        Map<Integer, Long>[][] byGroup = new Map[metrics][];
        for (int m = 0; m < metrics; m++) {
            if (histograms[m] != null) {
                byGroup[m] = histograms[m].byGroup(n);
                histograms[m].clear();
            }
        }
        List<AggregateRow> rows = new ArrayList<>(n);
        for (int g = 0; g < n; g++) {
            if (keep != null && keep[g] >= 0) {
                continue;
            }
            long ws = table.windowStart[g];
            MetricValues[] values = new MetricValues[metrics];
            for (int m = 0; m < metrics; m++) {
                int o = g * table.stride + 4 * m;
                double[] md = table.metricData;
                values[m] = new MetricValues((long) md[o + GroupTable.COUNT], md[o + GroupTable.SUM], md[o + GroupTable.MIN], md[o + GroupTable.MAX],
                        byGroup[m] == null ? null : byGroup[m][g]);
            }
            rows.add(new AggregateRow(ws, ws + windowSizeMs, decodeKey(table.arena, table.keyOffset[g], table.keyLength[g]),
                    table.requests[g], table.bytesSent[g], List.of(values)));
            if (ws > lastEmittedWindowStart) {
                lastEmittedWindowStart = ws;
            }
        }
        table.clear();
        minOpenWindowStart = Long.MAX_VALUE;
        return rows;
    }

    static List<String> decodeKey(byte[] arena, int off, int len) {
        List<String> values = new ArrayList<>(4);
        int p = off;
        int end = off + len;
        while (p < end) {
            int vl = (arena[p] & 0xff) << 24 | (arena[p + 1] & 0xff) << 16 | (arena[p + 2] & 0xff) << 8 | (arena[p + 3] & 0xff);
            p += 4;
            values.add(new String(arena, p, vl, StandardCharsets.UTF_8));
            p += vl;
        }
        return values;
    }
}
