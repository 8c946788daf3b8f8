package io.logbunker.connect.source.tail;

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
    static final int OVERLONG_PREFIX = 1024;

    final String identity;
    final Object fileKey;
    final FileChannel channel;
    final WindowAggregator aggregator;
    final List<RejectedLine> rejects = new ArrayList<>();
    Path path;

    long readPosition;
    long rangeStart;
    long rangeEnd;
    long size;

    byte[] carry = new byte[0];
    int carryLength;

    boolean skippingOverlong;
    long overlongStart;
    byte[] overlongPrefix;

    /** The bytes right before {@code tailPosition} (up to CHECK_BYTES), so a check survives a truncation. */
    final byte[] tail = new byte[Fingerprints.CHECK_BYTES];
    int tailLength;
    long tailPosition = -1;

    long lastDataMs;
    long lastCheckMs;
    long rangeOpenedMs = -1;
    long lastSeenMs;
    boolean seenInLastScan = true;

    TrackedFile(String identity, Object fileKey, Path path, FileChannel channel, WindowAggregator aggregator, long position, long now) {
        this.identity = identity;
        this.fileKey = fileKey;
        this.path = path;
        this.channel = channel;
        this.aggregator = aggregator;
        this.readPosition = position;
        this.rangeStart = position;
        this.rangeEnd = position;
        this.lastDataMs = now;
        this.lastSeenMs = now;
    }

    boolean hasOpenRange() {
        return rangeEnd > rangeStart;
    }

    int pendingItems() {
        return aggregator.openGroups() + rejects.size();
    }

    long bytesBehind() {
        return Math.max(0, size - readPosition);
    }
}
