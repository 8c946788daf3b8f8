package io.logbunker.connect.source.window;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Caps the distinct groups a task emits per window ({@code group.max.per.window}): the first groups of a window keep
 * their own rows, and the lines of every later group are added to one {@link #OTHER} group of that window (every
 * group-by value {@value #OTHER}). A scanner hitting random URIs with {@code group.by=uri} then makes at most cap + 1
 * rows per window instead of one per request. Totals stay exact (every line is in exactly one row); a group's own
 * count is a lower bound once its window reached the cap, since lines of a group first seen after that go to
 * {@link #OTHER}.
 *
 * <p>Applied to each emitted range on the task thread, after the parse threads' aggregates are merged, so the hot
 * path is unchanged. The groups admitted per window are remembered (not their counts) until the window is
 * {@code windowGraceMs} plus ten windows older than the newest window seen; a line later than that may be admitted
 * into a window afresh. The memory is one key per admitted group per remembered window; nothing survives a restart,
 * so after one a window may admit up to cap new groups again.
 */
public final class GroupCap {
    public static final String OTHER = "__other__";

    private final int maxPerWindow;
    private final long keepMs;
    private final Map<Long, Set<List<String>>> admitted = new HashMap<>();
    private long newestWindow = Long.MIN_VALUE;
    private long linesOverCap;

    /**
     * @param maxPerWindow distinct groups per window, 0 for no cap
     */
    public GroupCap(int maxPerWindow, long windowSizeMs, long windowGraceMs) {
        this.maxPerWindow = maxPerWindow;
        this.keepMs = windowGraceMs + 10 * windowSizeMs;
    }

    /** Lines folded into an {@link #OTHER} group so far. */
    public long linesOverCap() {
        return linesOverCap;
    }

    /** The rows of one emitted range with the cap applied: admitted groups as they were, the rest merged per window. */
    public List<AggregateRow> apply(List<AggregateRow> rows) {
        if (maxPerWindow <= 0 || rows.isEmpty()) {
            return rows;
        }
        List<AggregateRow> out = new ArrayList<>(rows.size());
        Map<Long, AggregateRow> other = new LinkedHashMap<>();
        for (AggregateRow r : rows) {
            newestWindow = Math.max(newestWindow, r.windowStart());
            Set<List<String>> groups = admitted.computeIfAbsent(r.windowStart(), w -> new HashSet<>());
            if (groups.contains(r.dimensions()) || (groups.size() < maxPerWindow && groups.add(r.dimensions()))) {
                out.add(r);
            } else {
                linesOverCap += r.requests();
                other.merge(r.windowStart(), asOther(r), GroupCap::merge);
            }
        }
        out.addAll(other.values());
        for (Iterator<Long> it = admitted.keySet().iterator(); it.hasNext(); ) {
            if (it.next() < newestWindow - keepMs) {
                it.remove();
            }
        }
        return out;
    }

    private static AggregateRow asOther(AggregateRow r) {
        return new AggregateRow(r.windowStart(), r.windowEnd(), Collections.nCopies(r.dimensions().size(), OTHER), r.requests(),
                r.bytesSent(), r.metrics());
    }

    private static AggregateRow merge(AggregateRow a, AggregateRow b) {
        List<MetricValues> metrics = new ArrayList<>(a.metrics().size());
        for (int m = 0; m < a.metrics().size(); m++) {
            metrics.add(a.metrics().get(m).plus(b.metrics().get(m)));
        }
        return new AggregateRow(a.windowStart(), Math.max(a.windowEnd(), b.windowEnd()), a.dimensions(), a.requests() + b.requests(),
                Math.addExact(a.bytesSent(), b.bytesSent()), List.copyOf(metrics));
    }
}
