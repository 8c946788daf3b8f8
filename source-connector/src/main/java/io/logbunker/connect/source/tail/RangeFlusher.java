package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.GroupCap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a file's stream into {@link FlushBatch}es at flush points: every open group and rejected line of the range, the
 * range's end and the check of the bytes before it (the offset Connect commits with the records). The check comes from
 * the bytes in hand when it can (the chunk being processed, the tail of the previous one) and is read back from the
 * file otherwise.
 */
final class RangeFlusher {
    private final GroupCap groupCap;
    private final TailerStats stats;
    private final FileRegistry registry;
    private List<FlushBatch> output = new ArrayList<>();
    /** The chunk being processed (buf[0] is at file offset chunkBase), so a flush inside it takes its check from there. */
    private TrackedFile chunkFile;
    private byte[] chunkBuf;
    private long chunkBase;
    private int chunkLimit;

    RangeFlusher(GroupCap groupCap, TailerStats stats, FileRegistry registry) {
        this.groupCap = groupCap;
        this.stats = stats;
        this.registry = registry;
    }

    /** The batches emitted since the last call. */
    List<FlushBatch> take() {
        List<FlushBatch> out = output;
        output = new ArrayList<>();
        return out;
    }

    /** {@code buf[0, limit)} is {@code f}'s content from offset {@code base} until {@link #endChunk()}. */
    void beginChunk(TrackedFile f, byte[] buf, long base, int limit) {
        chunkFile = f;
        chunkBuf = buf;
        chunkBase = base;
        chunkLimit = limit;
    }

    void endChunk() {
        chunkFile = null;
    }

    /**
     * The check of {@code end} from the bytes of the chunk being processed and, before them, the remembered tail of the
     * previous chunk; null when they do not hold the 64 bytes before {@code end}. Without it, a compressed file would be
     * decompressed from its start for every flush inside a chunk (window closed, max.open.groups).
     */
    private String checkFromChunk(TrackedFile f, long end) {
        if (chunkFile != f || end < chunkBase || end > chunkBase + chunkLimit) {
            return null;
        }
        int idx = (int) (end - chunkBase);
        if (idx >= Fingerprints.CHECK_BYTES || chunkBase == 0) {
            int n = Math.min(idx, Fingerprints.CHECK_BYTES);
            return Fingerprints.checkOf(chunkBuf, idx - n, n);
        }
        int fromTail = Fingerprints.CHECK_BYTES - idx;
        if (f.tailPosition != chunkBase || (f.tailLength < fromTail && f.tailLength != chunkBase)) {
            return null;
        }
        fromTail = Math.min(fromTail, f.tailLength);
        byte[] b = new byte[fromTail + idx];
        System.arraycopy(f.tail, f.tailLength - fromTail, b, 0, fromTail);
        System.arraycopy(chunkBuf, 0, b, fromTail, idx);
        return Fingerprints.checkOf(b, 0, b.length);
    }

    /** The check of {@code position} from the bytes in hand (the chunk being processed, the previous tail), or null. */
    String checkInHand(TrackedFile f, long position) {
        return checkFromChunk(f, position);
    }

    /**
     * A window closed: cuts the range at the first line of the newest window when every line folded since is of that
     * window (see {@link CutPoint}), so that window's groups stay open; otherwise emits everything up to {@code end}.
     */
    void flushClosedWindows(TrackedFile f, long end) {
        CutPoint cut = f.cut;
        long at = cut.firstLine();
        long newest = cut.newestWindow();
        if (at > f.rangeStart && at < end && !f.closed(newest) && cut.linesSince() == f.requestsIn(newest)) {
            String check = cut.check();
            if (check == null && !f.content.compressed()) {
                try {
                    check = f.content.checkBefore(at);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot read " + f.path + " to checksum its offset", e);
                }
            }
            if (check != null) {
                int n = 0;
                while (n < f.rejects.size() && f.rejects.get(n).offset() < at) {
                    n++; // rejects are in file order
                }
                List<RejectedLine> before = List.copyOf(f.rejects.subList(0, n));
                f.rejects.subList(0, n).clear();
                emit(f, at, check, f.drainBefore(newest), before);
                return;
            }
        }
        flush(f, end);
    }

    /** Emits the open range of {@code f} up to {@code end} (a line end) as one batch, with the offset it commits. */
    void flush(TrackedFile f, long end) {
        if (end <= f.rangeStart) {
            return;
        }
        String check;
        try {
            check = checkFromChunk(f, end);
            if (check == null) {
                check = end == f.tailPosition && (f.tailLength == Fingerprints.CHECK_BYTES || f.tailLength == end)
                        ? Fingerprints.checkOf(f.tail, 0, f.tailLength)
                        : f.content.checkBefore(end);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + f.path + " to checksum its offset", e);
        }
        if (check == null) {
            throw new IllegalStateException("internal error: flush point " + end + " of " + f.path + " is not a line end");
        }
        List<RejectedLine> rejects = List.copyOf(f.rejects);
        f.rejects.clear();
        emit(f, end, check, f.drain(), rejects);
    }

    private void emit(TrackedFile f, long end, String check, List<AggregateRow> drained, List<RejectedLine> rejects) {
        List<AggregateRow> rows = withPathValues(groupCap.apply(drained), f.pathValues);
        stats.linesOverGroupCap = groupCap.linesOverCap();
        output.add(new FlushBatch(f.identity, f.path, f.rangeStart, end, check, rows, rejects));
        stats.recordsEmitted += rows.size() + rejects.size();
        if (f.aggregator.lastEmittedWindowStart() > stats.lastEmittedWindowStart) {
            stats.lastEmittedWindowStart = f.aggregator.lastEmittedWindowStart();
        }
        f.rangeStart = end;
        registry.remember(f.identity, new SourceOffset(end, check, f.path.toString(), registry.epochMs()));
    }

    /** The rows with the file's path dimension values before their group-by values. */
    private static List<AggregateRow> withPathValues(List<AggregateRow> rows, List<String> pathValues) {
        if (pathValues.isEmpty()) {
            return rows;
        }
        List<AggregateRow> out = new ArrayList<>(rows.size());
        for (AggregateRow r : rows) {
            List<String> dims = new ArrayList<>(pathValues.size() + r.dimensions().size());
            dims.addAll(pathValues);
            dims.addAll(r.dimensions());
            out.add(new AggregateRow(r.windowStart(), r.windowEnd(), dims, r.requests(), r.bytesSent(), r.metrics()));
        }
        return out;
    }

    /** Keeps the bytes before the last line end of this chunk, merged with the previous tail when the line was short. */
    static void rememberTail(TrackedFile f, byte[] buf, int lineEnd) {
        int n = Math.min(Fingerprints.CHECK_BYTES, lineEnd);
        int fromOld = Math.min(Fingerprints.CHECK_BYTES - n, f.tailLength);
        if (fromOld > 0) {
            System.arraycopy(f.tail, f.tailLength - fromOld, f.tail, 0, fromOld);
        }
        System.arraycopy(buf, lineEnd - n, f.tail, fromOld, n);
        f.tailLength = fromOld + n;
        f.tailPosition = f.rangeEnd;
    }
}
