package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.format.Bytes;
import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.WindowAggregator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parse threads: they read a large span of a plain file in parts side by side, and fold the complete lines of a
 * span in pieces, each thread into its own aggregator of the file. Lines are classified by the same {@link LineRule}
 * as on the task thread.
 */
final class ParallelFolder implements PlainContent.SplitRead, AutoCloseable {
    /** Pieces per parse thread in a parallel span: enough for the threads to even out, few enough to be cheap. */
    private static final int PIECES_PER_THREAD = 8;
    private static final int MIN_PIECE_BYTES = 32 * 1024;

    private final TailerSettings settings;
    private final LineRule lineRule;
    /** Helpers for threads 1..n-1; thread 0 is the caller's. */
    private final ParseHelpers parsePool;
    /** The helpers' line batches ([0] unused: the task thread brings its own). */
    private final LineBatch[] partBatches;

    /** @return null with one parse thread: nothing to share */
    static ParallelFolder create(TailerSettings settings, LineRule lineRule) {
        return settings.parseThreads() <= 1 ? null : new ParallelFolder(settings, lineRule);
    }

    private ParallelFolder(TailerSettings settings, LineRule lineRule) {
        this.settings = settings;
        this.lineRule = lineRule;
        int parts = settings.parseThreads();
        this.partBatches = new LineBatch[parts];
        for (int k = 1; k < parts; k++) {
            partBatches[k] = new LineBatch(lineRule, settings.batchedLookupGroups(), () -> new LineFolder(settings.logFormat(), settings.groupBy(), settings.metricSpec()));
        }
        this.parsePool = new ParseHelpers(parts - 1, "logbunker-parse-" + settings.taskIndex());
    }

    int threads() {
        return partBatches.length;
    }

    /**
     * Reads {@code want} bytes at {@code position} into {@code buf[off, off + want)} as one positional read per parse
     * thread, side by side. Copying a chunk out of the page cache (into the JDK's direct buffer, then into the heap)
     * was about a tenth of the worker's CPU, all of it on the task thread while the helpers waited for the next span;
     * split, it took 7 of 7 alternating end-to-end runs (median 2.10M against 1.96M lines/s, BENCHMARKS.md).
     * Returns the bytes read from {@code position} without a gap: the whole length, or less when a part came back short
     * (the file was truncated meanwhile), in which case what lies after the short part is not used.
     */
    @Override
    public int read(FileChannel channel, byte[] buf, int off, int want, long position) throws IOException {
        int parts = partBatches.length;
        int[] got = new int[parts];
        List<ParseHelpers.Job<Integer>> jobs = new ArrayList<>(parts - 1);
        for (int k = 1; k < parts; k++) {
            int part = k;
            jobs.add(parsePool.submit(k - 1, () -> got[part] = readFully(channel, buf, off, want, position, part, parts)));
        }
        got[0] = readFully(channel, buf, off, want, position, 0, parts);
        for (ParseHelpers.Job<Integer> job : jobs) {
            awaitHelper(job, "reading at byte " + position);
        }
        int n = 0;
        for (int k = 0; k < parts; k++) {
            n = partStart(want, k, parts) + got[k];
            if (n < partStart(want, k + 1, parts)) {
                break;
            }
        }
        return n;
    }

    /** A helper's result; what it threw is rethrown as it was (I/O errors, rejected lines), anything else wrapped. */
    private static <T> T awaitHelper(ParseHelpers.Job<T> job, String doing) throws IOException {
        try {
            return job.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while " + doing);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("a parse helper failed while " + doing, e.getCause());
        }
    }

    private static int partStart(int want, int k, int parts) {
        return (int) ((long) want * k / parts);
    }

    /** Reads part {@code k} of {@code parts} of the span fully unless the file ends first; returns the bytes read. */
    private static int readFully(FileChannel channel, byte[] buf, int off, int want, long position, int k, int parts)
            throws IOException {
        int from = partStart(want, k, parts);
        int len = partStart(want, k + 1, parts) - from;
        int got = 0;
        while (got < len) {
            int r = channel.read(ByteBuffer.wrap(buf, off + from + got, len - got), position + from + got);
            if (r <= 0) {
                break;
            }
            got += r;
        }
        return got;
    }

    /**
     * Folds the complete lines in {@code buf[from, to)} on several threads: the span is cut at line ends into
     * {@link #PIECES_PER_THREAD} pieces per thread, which the task thread and the helpers take in turn from a shared
     * counter, each folding into its own aggregator of the file (a helper that is descheduled or slower takes fewer
     * pieces, so neither side waits long for the other); the helpers' aggregates are merged into the task thread's
     * when the range is emitted ({@link TrackedFile#drain}), and the window-close test looks at all of them. Folding
     * only adds, so which thread took which piece changes no total. The range then ends at {@code to}, so the
     * emission rule holds; a flush point reached inside the span is taken at its end (later, never wrong), and
     * max.open.groups may be exceeded by the groups one span opens. Rejected lines keep their file order.
     */
    int fold(TrackedFile f, LineBatch taskBatch, byte[] buf, int from, int to, long base) throws IOException {
        int threads = partBatches.length;
        int pieces = (int) Math.max(threads, Math.min((long) threads * PIECES_PER_THREAD, (to - from) / MIN_PIECE_BYTES));
        int[] bounds = new int[pieces + 1];
        bounds[0] = from;
        bounds[pieces] = to;
        for (int k = 1; k < pieces; k++) {
            int target = Math.max(bounds[k - 1], from + (int) ((long) (to - from) * k / pieces));
            int nl = Bytes.indexOf(buf, target, to, (byte) '\n');
            bounds[k] = nl < 0 ? to : nl + 1;
        }
        List<RejectedLine>[] rejects = newRejectLists(pieces);
        LineRejectedException[] failures = new LineRejectedException[pieces];
        CutPoint[] cuts = new CutPoint[pieces];
        for (int k = 0; k < pieces; k++) {
            cuts[k] = new CutPoint(settings.windowSizeMs());
        }
        java.util.concurrent.atomic.AtomicInteger nextPiece = new java.util.concurrent.atomic.AtomicInteger();
        List<ParseHelpers.Job<Integer>> jobs = new ArrayList<>(threads - 1);
        for (int k = 1; k < threads; k++) {
            LineBatch helperBatch = partBatches[k];
            WindowAggregator helperAggregator = f.helperAggregator(k, settings);
            jobs.add(parsePool.submit(k - 1, () -> foldPieces(helperBatch, helperAggregator, nextPiece, bounds,
                    rejects, failures, cuts, f.path, buf, base)));
        }
        int lines = foldPieces(taskBatch, f.aggregator, nextPiece, bounds, rejects, failures, cuts, f.path, buf, base);
        for (ParseHelpers.Job<Integer> job : jobs) {
            lines += awaitHelper(job, "parsing " + f.path); // the helpers' groups stay theirs until a flush
        }
        for (LineRejectedException failure : failures) {
            if (failure != null) {
                throw failure; // the first bad line in file order, as a sequential read reports it
            }
        }
        for (List<RejectedLine> r : rejects) {
            f.rejects.addAll(r);
        }
        for (CutPoint piece : cuts) {
            f.cut.merge(piece);
        }
        return lines;
    }

    /**
     * Folds pieces taken from {@code nextPiece} until none is left; returns the lines folded or rejected. A piece
     * that fails (parse.error.policy=fail) is recorded and no further pieces are taken; every lower piece was taken
     * before it, so the lowest recorded failure is the file's first bad line.
     */
    private int foldPieces(LineBatch pieceBatch, WindowAggregator agg, java.util.concurrent.atomic.AtomicInteger nextPiece,
                           int[] bounds, List<RejectedLine>[] rejects, LineRejectedException[] failures, CutPoint[] cuts,
                           Path path, byte[] buf, long base) {
        int lines = 0;
        int k;
        while ((k = nextPiece.getAndIncrement()) < rejects.length) {
            try {
                lines += foldPart(pieceBatch, agg, rejects[k], cuts[k], path, buf, bounds[k], bounds[k + 1], base);
            } catch (LineRejectedException e) {
                failures[k] = e;
                nextPiece.set(rejects.length);
            }
        }
        return lines;
    }

    @SuppressWarnings("unchecked")
    private static List<RejectedLine>[] newRejectLists(int n) {
        List<RejectedLine>[] lists = new List[n];
        for (int k = 0; k < n; k++) {
            lists[k] = new ArrayList<>();
        }
        return lists;
    }

    /** Folds the lines of one part; thread-confined to its batch, aggregator, reject list and cut point. */
    private int foldPart(LineBatch batch, WindowAggregator agg, List<RejectedLine> rejects, CutPoint cut, Path path,
                         byte[] buf, int from, int to, long base) {
        int lines = 0;
        int start = from;
        do {
            start = batch.fill(buf, start, start, to, agg);
            for (int k = 0; k < batch.size(); k++) {
                lines++;
                int off = batch.start(k);
                String reason = batch.reason(k);
                if (reason == null) {
                    LineFolder folder = batch.folder(k);
                    folder.foldInto(agg);
                    cut.folded(folder.eventTime(), base + off);
                } else {
                    if (settings.failOnParseError()) {
                        throw lineRule.failure(path, base + off, reason, buf, off, batch.length(k));
                    }
                    rejects.add(lineRule.reject(base + off, reason, buf, off, batch.length(k), batch.length(k)));
                }
            }
        } while (batch.full());
        return lines;
    }

    @Override
    public void close() {
        parsePool.close();
    }
}
