package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.format.Bytes;
import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.WindowAggregator;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Reads a file's new bytes in chunks through its {@link FileContent} (plain or decompressed), carries the start of an
 * unfinished line to the next chunk, skips a line longer than max.line.bytes without buffering it (keeping its first
 * bytes as evidence), and hands every complete line to the parser, on the task thread or, for a large span, to the
 * parse threads; the {@link LineRule} classifies each line the same way on every path. Flush points reached inside a
 * chunk go to the {@link RangeFlusher}.
 */
final class ChunkReader {
    private static final Logger log = LoggerFactory.getLogger(ChunkReader.class);
    private static final long MAX_BYTES_PER_FILE_PER_POLL = 32L << 20;

    private final TailerSettings settings;
    private final Time time;
    private final LineRule lineRule;
    /** The task thread's lines, parsed a batch at a time. */
    private final LineBatch batch;
    private final ParallelFolder parallel;
    private final RangeFlusher flusher;
    private final FileRegistry registry;
    private final TailerStats stats;
    private final byte[] buffer;
    private long linesRead;
    private long linesRejected;
    private long bytesRead;

    /**
     * @param parallel the parse threads, or null for the task thread only
     */
    ChunkReader(TailerSettings settings, Time time, LineRule lineRule, ParallelFolder parallel,
                RangeFlusher flusher, FileRegistry registry, TailerStats stats) {
        this.settings = settings;
        this.time = time;
        this.lineRule = lineRule;
        this.batch = new LineBatch(lineRule, settings.batchedLookupGroups(), () -> new LineFolder(settings.logFormat(), settings.groupBy(), settings.metricSpec()));
        this.parallel = parallel;
        this.flusher = flusher;
        this.registry = registry;
        this.stats = stats;
        this.buffer = new byte[settings.maxLineBytes() + settings.readChunkBytes()];
    }

    /**
     * Reads what is new in one file, at most 32 MiB per call so that other files get their turn. A file truncated in
     * place (copytruncate) or found corrupt is emitted as far as it was read and dropped from the registry.
     *
     * @return false when the file was dropped
     */
    boolean read(TrackedFile f, long now) throws IOException {
        if (f.content instanceof PlainContent plain) {
            long size = plain.refreshSize();
            boolean shrank = size < f.readPosition;
            if (shrank || !plain.unchangedBefore(f.readPosition)) {
                stats.truncations++;
                log.warn("{} {} (copytruncate, or rewritten in place): the {} bytes read so far are emitted; lines appended "
                        + "between the copy and the truncation cannot be recovered. Restarting it at byte 0.", f.path,
                        shrank ? "shrank from " + f.readPosition + " to " + size + " bytes"
                                : "no longer holds the bytes read before byte " + f.readPosition + " (it is " + size
                                + " bytes now: truncated and written past that point since the last read)", f.rangeEnd);
                if (f.hasOpenRange()) {
                    flusher.flush(f, f.rangeEnd);
                }
                registry.truncated(f);
                return false;
            }
        }
        long budget = MAX_BYTES_PER_FILE_PER_POLL;
        try {
            while (f.content.hasUnread(f.readPosition) && budget > 0) {
                int n = readChunk(f);
                if (n <= 0) {
                    break;
                }
                budget -= n;
                // the time the bytes were in hand, not the poll's start: a read of many chunks at high cardinality
                // can take longer than flush.idle.ms, and the file is not idle
                f.lastDataMs = time.milliseconds();
            }
        } catch (GzipContent.CorruptException e) {
            flusher.endChunk();
            if (f.hasOpenRange()) {
                flusher.flush(f, f.rangeEnd);
            }
            registry.drop(f);
            registry.corrupt(f.path, f.fileKey, f.channel.size(), e);
            return false;
        }
        return true;
    }

    long linesRead() {
        return linesRead;
    }

    long linesRejected() {
        return linesRejected;
    }

    long bytesRead() {
        return bytesRead;
    }

    /** Reads one chunk after the carried start of an unfinished line, and handles every complete line in it. */
    private int readChunk(TrackedFile f) throws IOException {
        byte[] buf = buffer;
        int carry = f.carryLength;
        System.arraycopy(f.carry, 0, buf, 0, carry);
        int n = f.content.read(buf, carry, buf.length - carry, f.readPosition);
        if (n <= 0) {
            return n;
        }
        f.readPosition += n;
        bytesRead += n;
        long base = f.readPosition - carry - n; // file offset of buf[0]
        int limit = carry + n;
        flusher.beginChunk(f, buf, base, limit);
        int lineStart = 0;
        int i = carry;
        if (f.skippingOverlong) {
            i = Bytes.indexOf(buf, i, limit, (byte) '\n');
            f.collectOverlongPrefix(buf, carry, i < 0 ? limit : i);
            if (i < 0) {
                f.carryLength = 0;
                flusher.endChunk();
                return n;
            }
            f.skippingOverlong = false;
            rejectOverlong(f, f.overlongStart, base + i + 1);
            lineStart = ++i;
        }
        if (parallel != null && limit - i >= settings.parallelMinBytes()) {
            // complete lines only: without a line end after i, buf[lineStart, limit) is one unfinished line
            int end = lastIndexOf(buf, i, limit, (byte) '\n') + 1;
            if (end > i && end - lineStart >= settings.parallelMinBytes()) {
                foldInParallel(f, buf, lineStart, end, base);
                lineStart = end;
                i = end;
            }
        }
        LineBatch b = batch;
        do {
            lineStart = b.fill(buf, lineStart, Math.max(i, lineStart), limit, f.aggregator);
            for (int k = 0; k < b.size(); k++) {
                int off = b.start(k);
                handleLine(f, b.folder(k), b.reason(k), buf, off, b.length(k), base + off);
            }
        } while (b.full());
        flusher.endChunk(); // the buffer is the next chunk's from here on
        if (lineStart > carry) {
            RangeFlusher.rememberTail(f, buf, lineStart);
        }
        int rest = limit - lineStart;
        if (lineRule.overlong(rest)) {
            f.skippingOverlong = true;
            f.overlongStart = base + lineStart;
            f.overlongPrefix = new byte[lineRule.prefixWanted(Long.MAX_VALUE)];
            f.overlongPrefixLength = 0;
            f.collectOverlongPrefix(buf, lineStart, limit);
            f.carryLength = 0;
        } else {
            if (f.carry.length < rest) {
                f.carry = new byte[Math.max(rest, Math.min(settings.maxLineBytes(), Math.max(256, f.carry.length * 2)))];
            }
            System.arraycopy(buf, lineStart, f.carry, 0, rest);
            f.carryLength = rest;
        }
        stats.linesRead = linesRead;
        stats.linesRejected = linesRejected;
        stats.bytesRead = bytesRead;
        return n;
    }

    private static int lastIndexOf(byte[] buf, int from, int to, byte b) {
        for (int p = to - 1; p >= from; p--) {
            if (buf[p] == b) {
                return p;
            }
        }
        return from - 1;
    }

    /** Handles a line that {@code folder} parsed ({@code reason} null) or that was rejected for {@code reason}. */
    private void handleLine(TrackedFile f, LineFolder folder, String reason, byte[] buf, int off, int len, long lineStart) {
        long lineEnd = lineStart + len + 1;
        linesRead++;
        if (f.rangeOpenedMs < 0 || !f.hasOpenRange()) {
            f.rangeOpenedMs = time.milliseconds();
        }
        if (reason != null) {
            reject(f, buf, off, len, len, lineStart, lineEnd, reason);
            return;
        }
        WindowAggregator agg = f.aggregator;
        if (f.pendingItems() >= settings.maxOpenGroups() && folder.opensGroupIn(agg)) {
            flusher.flush(f, lineStart); // max.open.groups reached: the range ends before this line
            f.rangeOpenedMs = time.milliseconds();
        }
        folder.foldInto(agg);
        if (f.cut.folded(folder.eventTime(), lineStart)) {
            f.cut.check(flusher.checkInHand(f, lineStart));
        }
        f.rangeEnd = lineEnd;
        if (f.windowClosed()) {
            flusher.flushClosedWindows(f, lineEnd);
        }
    }

    /** Rejects the line at {@code lineStart} of {@code length} bytes, whose first {@code available} are at buf[off]. */
    private void reject(TrackedFile f, byte[] buf, int off, int available, long length, long lineStart, long lineEnd,
                        String reason) {
        linesRejected++;
        if (settings.failOnParseError()) {
            throw lineRule.failure(f.path, lineStart, reason, buf, off, available);
        }
        f.rejects.add(lineRule.reject(lineStart, reason, buf, off, available, length));
        f.rangeEnd = lineEnd;
        if (f.pendingItems() >= settings.maxOpenGroups()) {
            flusher.flush(f, lineEnd);
        }
    }

    private void rejectOverlong(TrackedFile f, long lineStart, long lineEnd) {
        long len = lineEnd - lineStart - 1;
        byte[] prefix = f.overlongPrefix;
        int available = f.overlongPrefixLength;
        f.overlongPrefix = null;
        if (f.rangeOpenedMs < 0 || !f.hasOpenRange()) {
            f.rangeOpenedMs = time.milliseconds();
        }
        linesRead++;
        reject(f, prefix, 0, available, len, lineStart, lineEnd, lineRule.overlongReason(len));
    }

    /**
     * Folds the complete lines of {@code buf[from, to)} on the parse threads. The range then ends at {@code to}, so the
     * emission rule holds; a flush point reached inside the span is taken at its end (later, never wrong), and
     * max.open.groups may be exceeded by the groups one span opens.
     */
    private void foldInParallel(TrackedFile f, byte[] buf, int from, int to, long base) throws IOException {
        if (!f.hasOpenRange()) {
            f.rangeOpenedMs = time.milliseconds();
        }
        int rejectedBefore = f.rejects.size();
        long cutBefore = f.cut.firstLine();
        linesRead += parallel.fold(f, batch, buf, from, to, base);
        if (f.cut.firstLine() != cutBefore) {
            f.cut.check(flusher.checkInHand(f, f.cut.firstLine())); // the span's bytes are still in hand
        }
        linesRejected += f.rejects.size() - rejectedBefore;
        f.rangeEnd = base + to;
        if (f.pendingItems() >= settings.maxOpenGroups()) {
            flusher.flush(f, f.rangeEnd);
        } else if (f.windowClosed()) {
            flusher.flushClosedWindows(f, f.rangeEnd);
        }
    }
}
