package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.WindowAggregator;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One file this task owns, with its read state and its open aggregation range.
 *
 * <p>Positions: {@code rangeStart} is the end of the last emitted range (the offset Connect stores);
 * {@code rangeEnd} the end of the last complete line folded in; {@code readPosition} the next byte to read,
 * with the {@code carry} bytes of an incomplete line between {@code rangeEnd} and it.
 */
final class TrackedFile {
    final String identity;
    final Object fileKey;
    final FileChannel channel;
    /** What is read: the file's bytes, or a compressed file's decompressed content. */
    final FileContent content;
    /** The task thread's aggregates of the open range. */
    final WindowAggregator aggregator;
    /**
     * The open range's aggregates by parse thread: [0] is {@link #aggregator}, [k] helper k's, created on the file's
     * first parallel span. Helpers' aggregates are merged only when the range is emitted, not after every span:
     * merging a few thousand groups after each 4 MiB span was serial work on the task thread while the helper
     * waited (0.2-0.4 s per 20M lines, out of about 5 s of the engine alone on two threads).
     */
    final WindowAggregator[] aggregators;
    private boolean helpersUsed;
    final List<RejectedLine> rejects = new ArrayList<>();
    /** The key fields from the path the identity was first opened at (path.dimensions), before the group-by values. */
    List<String> pathValues = List.of();
    /** Where a window-close flush may cut the range. */
    final CutPoint cut;
    Path path;

    long readPosition;
    long rangeStart;
    long rangeEnd;

    byte[] carry = new byte[0];
    int carryLength;

    boolean skippingOverlong;
    long overlongStart;
    /** The first bytes of the overlong line being skipped, collected across reads up to the array's length. */
    byte[] overlongPrefix;
    int overlongPrefixLength;

    /** The bytes right before {@code tailPosition} (up to CHECK_BYTES), so a check survives a truncation. */
    final byte[] tail = new byte[Fingerprints.CHECK_BYTES];
    int tailLength;
    long tailPosition = -1;

    long lastDataMs;
    long lastCheckMs;
    long rangeOpenedMs = -1;
    long lastSeenMs;
    boolean seenInLastScan = true;

    TrackedFile(String identity, Object fileKey, Path path, FileChannel channel, FileContent content, WindowAggregator aggregator,
                int parseThreads, long position, long now) {
        this.identity = identity;
        this.fileKey = fileKey;
        this.path = path;
        this.channel = channel;
        this.content = content;
        this.aggregator = aggregator;
        this.aggregators = new WindowAggregator[Math.max(1, parseThreads)];
        this.aggregators[0] = aggregator;
        this.cut = new CutPoint(aggregator.windowSizeMs());
        this.readPosition = position;
        this.rangeStart = position;
        this.rangeEnd = position;
        this.lastDataMs = now;
        this.lastSeenMs = now;
    }

    /** Adds {@code buf[from, to)}, the next bytes of the overlong line being skipped, to its prefix while it has room. */
    void collectOverlongPrefix(byte[] buf, int from, int to) {
        int n = Math.min(to - from, overlongPrefix.length - overlongPrefixLength);
        if (n > 0) {
            System.arraycopy(buf, from, overlongPrefix, overlongPrefixLength, n);
            overlongPrefixLength += n;
        }
    }

    boolean hasOpenRange() {
        return rangeEnd > rangeStart;
    }

    /** Helper {@code k}'s aggregator for this file (k >= 1), created on first use. */
    WindowAggregator helperAggregator(int k, TailerSettings settings) {
        if (aggregators[k] == null) {
            aggregators[k] = new WindowAggregator(settings.windowSizeMs(), settings.windowGraceMs(), settings.metricSpec());
        }
        helpersUsed = true;
        return aggregators[k];
    }

    /** Whether the oldest open window of the range, over all parse threads' aggregates, is closed. */
    boolean windowClosed() {
        return helpersUsed ? WindowAggregator.windowClosed(aggregators) : aggregator.windowClosed();
    }

    /** Open groups over all parse threads' aggregates (a group open on two threads counts twice: an upper bound). */
    int openGroups() {
        int n = 0;
        for (WindowAggregator a : aggregators) {
            if (a != null) {
                n += a.openGroups();
            }
        }
        return n;
    }

    int openWindows() {
        return helpersUsed ? WindowAggregator.openWindows(aggregators) : aggregator.openWindows();
    }

    /** Every open group of the range, the helpers' merged into the task thread's, and forgets them. */
    List<AggregateRow> drain() {
        for (int k = 1; k < aggregators.length; k++) {
            if (aggregators[k] != null) {
                aggregator.mergeFrom(aggregators[k]);
            }
        }
        return aggregator.drain();
    }

    /**
     * The open groups of the windows before {@code windowStart}, the helpers' merged into the task thread's, and
     * forgets them; the groups of later windows stay open.
     */
    List<AggregateRow> drainBefore(long windowStart) {
        for (int k = 1; k < aggregators.length; k++) {
            if (aggregators[k] != null) {
                aggregator.mergeFrom(aggregators[k]);
            }
        }
        return aggregator.drainBefore(windowStart);
    }

    /** The requests in the open groups of one window, over all parse threads' aggregates. */
    long requestsIn(long windowStart) {
        long n = 0;
        for (WindowAggregator a : aggregators) {
            if (a != null) {
                n += a.requestsIn(windowStart);
            }
        }
        return n;
    }

    /** Whether the window starting at {@code windowStart} is closed by the newest event time of any parse thread. */
    boolean closed(long windowStart) {
        long watermark = Long.MIN_VALUE;
        for (WindowAggregator a : aggregators) {
            if (a != null) {
                watermark = Math.max(watermark, a.watermark());
            }
        }
        return watermark >= windowStart + aggregator.windowSizeMs() + aggregator.graceMs();
    }

    int pendingItems() {
        return openGroups() + rejects.size();
    }

    /** Bytes not read yet; of a compressed file, its compressed bytes not decompressed yet. */
    long bytesBehind() {
        return content.bytesBehind(readPosition);
    }

    /** Whether there is something to read now (a compressed file: until its end, unless it stalled and has not grown). */
    boolean hasUnread() {
        return content.hasUnread(readPosition);
    }
}
