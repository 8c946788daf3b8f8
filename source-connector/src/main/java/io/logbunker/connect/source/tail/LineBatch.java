package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.format.Bytes;
import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.WindowAggregator;

import java.util.function.Supplier;

/**
 * Up to {@link #SIZE} consecutive complete lines, each parsed by a folder of its own before any of them is folded, so
 * that the aggregator can look up all their groups at once ({@link WindowAggregator#probe}): at high cardinality each
 * lookup misses the cache several times in a row, and the misses of eight lines then overlap instead of following one
 * another. The caller handles the lines in file order, as it would one by one; the {@link LineRule} classifies them
 * here for every path.
 */
final class LineBatch {
    static final int SIZE = 8;
    /**
     * Below this many open groups the table stays in the CPU's caches (about a megabyte), its lookups wait for
     * nothing, and a line at a time is faster; above it the batch pays (BENCHMARKS.md, Per-ad cardinality).
     */
    static final int DEFAULT_FROM_GROUPS = 16_384;
    private final LineRule lineRule;
    private final int fromGroups;
    private final LineFolder[] folders = new LineFolder[SIZE];
    /** Per line: its folder when parsed, null when rejected. */
    private final LineFolder[] parsed = new LineFolder[SIZE];
    private final String[] reasons = new String[SIZE];
    private final int[] starts = new int[SIZE];
    private final int[] lengths = new int[SIZE];
    private int size;
    private int capacity;

    /** @param fromGroups the open groups of the aggregator from which lines are taken a batch at a time */
    LineBatch(LineRule lineRule, int fromGroups, Supplier<LineFolder> newFolder) {
        this.lineRule = lineRule;
        this.fromGroups = fromGroups;
        for (int k = 0; k < SIZE; k++) {
            folders[k] = newFolder.get();
        }
    }

    /**
     * Takes the complete lines of {@code buf} from {@code from}, up to {@code to}, until the batch is full (one line
     * while {@code agg} has fewer open groups than the batch starts at), and probes their groups in {@code agg}. The first line end is searched from {@code searchFrom} (bytes before it that are
     * known to hold none, such as a carried unfinished line, are not read again).
     *
     * @return the start of the first line not taken (after the last line end taken)
     */
    int fill(byte[] buf, int from, int searchFrom, int to, WindowAggregator agg) {
        size = 0;
        capacity = agg.openGroups() >= fromGroups ? SIZE : 1;
        int start = from;
        int i = searchFrom;
        while (size < capacity && (i = Bytes.indexOf(buf, i, to, (byte) '\n')) >= 0) {
            int len = i - start;
            LineFolder folder = folders[size];
            String reason = lineRule.overlong(len) ? lineRule.overlongReason(len) : folder.parse(buf, start, len);
            starts[size] = start;
            lengths[size] = len;
            reasons[size] = reason;
            parsed[size] = reason == null ? folder : null;
            size++;
            start = ++i;
        }
        if (size > 1) {
            agg.probe(parsed, size);
        }
        return start;
    }

    /** The number of lines taken by the last {@link #fill}. */
    int size() {
        return size;
    }

    /** True when the last {@link #fill} stopped at the batch's capacity, not at the end of the lines. */
    boolean full() {
        return size == capacity;
    }

    /** The folder that parsed line {@code k}, valid when {@link #reason} is null. */
    LineFolder folder(int k) {
        return folders[k];
    }

    /** Why line {@code k} is rejected, or null when it was parsed. */
    String reason(int k) {
        return reasons[k];
    }

    /** Where line {@code k} starts in the buffer. */
    int start(int k) {
        return starts[k];
    }

    /** Line {@code k}'s length without its {@code \n}. */
    int length(int k) {
        return lengths[k];
    }
}
