package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.format.Bytes;
import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.GroupCap;
import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.WindowAggregator;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tails the files matching the configured globs like {@code tail -F}, parses every complete line, folds it
 * into per-file window aggregates and cuts the stream into {@link FlushBatch}es at flush points. Plain Java:
 * the Connect task only turns batches into records.
 *
 * <p>Single-threaded: every method is called from the task thread.
 */
public final class AccessLogTailer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLogTailer.class);
    private static final int KNOWN_POSITIONS_CAPACITY = 10_000;
    private static final long MAX_BYTES_PER_FILE_PER_POLL = 32L << 20;
    /** Pieces per parse thread in a parallel span: enough for the threads to even out, few enough to be cheap. */
    private static final int PIECES_PER_THREAD = 8;
    private static final int MIN_PIECE_BYTES = 32 * 1024;
    private static final long IDLE_AFTER_MS = 5_000;
    private static final long IDLE_CHECK_INTERVAL_MS = 1_000;

    private enum CandidateState { INCOMPLETE, FOREIGN, CONFLICT, REFUSED, CORRUPT, SKIPPED }

    private record Candidate(CandidateState state, long size, String identity) {
    }

    private final TailerSettings settings;
    private final Time time;
    private final StoredOffsets storedOffsets;
    private final GlobScanner scanner;
    private final LineFolder folder;
    private final byte[] buffer;
    private final LineRule lineRule;
    private final GroupCap groupCap;
    private final TailerStats stats = new TailerStats();

    private final Map<Object, TrackedFile> byKey = new LinkedHashMap<>();
    private final Map<String, TrackedFile> byIdentity = new HashMap<>();
    private final Map<Object, Candidate> candidates = new HashMap<>();
    private final Set<Object> truncatedKeys = new HashSet<>();
    private final Set<String> warnedConflicts = new HashSet<>();
    /** Our own latest positions, newer than the offset storage until Connect commits. */
    private final Map<String, SourceOffset> knownPositions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SourceOffset> eldest) {
            return size() > KNOWN_POSITIONS_CAPACITY;
        }
    };

    /** Helpers that read and parse parts of one file's backlog; null with parse.threads=1. */
    private final ParseHelpers parsePool;
    private final LineFolder[] partFolders;

    private long nextScanMs;
    /** When these logs were first read (wall clock, epoch ms): the oldest "since" of the stored offsets, or this start. */
    private long epochMs = -1;
    /** On the first run ever (no stored "since"), the files that were there: they predate the connector. */
    private Set<Object> firstRunFiles = Set.of();
    /** File times come from a coarse kernel clock and other hosts' clocks: compare them with this much slack. */
    private static final long MTIME_SLACK_MS = 1_000;
    private long linesRead;
    private long linesRejected;
    private long bytesRead;
    private List<FlushBatch> output;
    /** The chunk being processed (buf[0] is at file offset chunkBase), so a flush inside it takes its check from there. */
    private TrackedFile chunkFile;
    private byte[] chunkBuf;
    private long chunkBase;
    private int chunkLimit;

    public AccessLogTailer(TailerSettings settings, Time time, StoredOffsets storedOffsets) {
        this.settings = settings;
        this.time = time;
        this.storedOffsets = storedOffsets;
        this.scanner = new GlobScanner(settings.includes(), settings.excludes());
        this.folder = new LineFolder(settings.logFormat(), settings.groupBy());
        int parts = Math.max(1, settings.parseThreads());
        this.partFolders = new LineFolder[parts];
        for (int k = 1; k < parts; k++) {
            partFolders[k] = new LineFolder(settings.logFormat(), settings.groupBy());
        }
        this.parsePool = parts == 1 ? null : new ParseHelpers(parts - 1, "logbunker-parse-" + settings.taskIndex());
        this.buffer = new byte[settings.maxLineBytes() + settings.readChunkBytes()];
        this.lineRule = new LineRule(settings.maxLineBytes(), settings.rejectedLineMaxBytes());
        this.groupCap = new GroupCap(settings.groupMaxPerWindow(), settings.windowSizeMs(), settings.windowGraceMs());
    }

    public LineFields fields() {
        return folder.fields();
    }

    /**
     * When these logs were first read, for the "since" of every offset; files last written before it predate the
     * connector. Known after the first scan.
     */
    public long epochMs() {
        return epochMs;
    }

    public TailerStats stats() {
        return stats;
    }

    /** Paths and bytes behind of the tracked files, for per-file metrics. */
    public Map<String, Long> bytesBehindByIdentity() {
        Map<String, Long> m = new HashMap<>();
        for (TrackedFile f : byKey.values()) {
            m.put(f.identity, f.bytesBehind());
        }
        return m;
    }

    public Map<String, Path> pathsByIdentity() {
        Map<String, Path> m = new HashMap<>();
        for (TrackedFile f : byKey.values()) {
            m.put(f.identity, f.path);
        }
        return m;
    }

    /**
     * One round: scan for files when due, read what has been appended, and cut batches at every flush point
     * reached. Returns the batches (possibly none); never blocks.
     */
    public List<FlushBatch> poll() throws IOException {
        output = new ArrayList<>();
        long now = time.milliseconds();
        if (now >= nextScanMs) {
            scan(now);
            nextScanMs = now + settings.scanIntervalMs();
        }
        for (Iterator<TrackedFile> it = byKey.values().iterator(); it.hasNext(); ) {
            TrackedFile f = it.next();
            // a file idle for a while is looked at once a second, not on every poll: 1,000 idle files stay cheap
            if (now - f.lastDataMs > IDLE_AFTER_MS && now - f.lastCheckMs < IDLE_CHECK_INTERVAL_MS && !f.hasOpenRange()) {
                continue;
            }
            f.lastCheckMs = now;
            if (!readFile(f, now)) {
                it.remove();
                byIdentity.remove(f.identity);
                closeQuietly(f);
            }
        }
        now = time.milliseconds();
        for (Iterator<TrackedFile> it = byKey.values().iterator(); it.hasNext(); ) {
            TrackedFile f = it.next();
            if (f.hasOpenRange() && (now - f.lastDataMs >= settings.flushIdleMs()
                    || now - f.rangeOpenedMs >= settings.flushMaxIntervalMs())) {
                flush(f, f.rangeEnd);
            }
            if (!f.seenInLastScan && !f.hasOpenRange() && !f.hasUnread() && f.carryLength == 0
                    && now - f.lastDataMs >= settings.releaseIdleMs()) {
                log.info("Released {} (identity {}): gone from the file patterns and idle for {} ms", f.path, f.identity,
                        now - f.lastDataMs);
                it.remove();
                byIdentity.remove(f.identity);
                closeQuietly(f);
            }
        }
        publishStats();
        List<FlushBatch> result = output;
        output = null;
        return result;
    }

    /** Emits every open range now (used on graceful stop would lose nothing either way; offsets stay exact). */
    public List<FlushBatch> flushAll() throws IOException {
        output = new ArrayList<>();
        for (TrackedFile f : byKey.values()) {
            if (f.hasOpenRange()) {
                flush(f, f.rangeEnd);
            }
        }
        List<FlushBatch> result = output;
        output = null;
        return result;
    }

    /**
     * Milliseconds from now until an open range is due to be emitted because its file went idle
     * ({@code flush.idle.ms}) or the range reached {@code flush.max.interval.ms}; Long.MAX_VALUE when no range is
     * open. The task waits no longer than this between polls, so the last lines of a burst are emitted when due
     * rather than up to a poll interval later.
     */
    public long millisUntilFlushDue() {
        long now = time.milliseconds();
        long due = Long.MAX_VALUE;
        for (TrackedFile f : byKey.values()) {
            if (f.hasOpenRange()) {
                due = Math.min(due, Math.min(f.lastDataMs + settings.flushIdleMs(), f.rangeOpenedMs + settings.flushMaxIntervalMs()));
            }
        }
        return due == Long.MAX_VALUE ? due : Math.max(0, due - now);
    }

    /** True while a file has unread bytes, so the task can poll again at once instead of waiting. */
    public boolean hasBacklog() {
        for (TrackedFile f : byKey.values()) {
            if (f.hasUnread()) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- discovery

    private void scan(long now) throws IOException {
        Map<Path, BasicFileAttributes> files = scanner.scan();
        if (epochMs < 0) {
            epochMs = discoverEpoch(files);
        }
        Set<Object> seen = new HashSet<>();
        List<Map.Entry<Path, BasicFileAttributes>> compressed = new ArrayList<>();
        for (TrackedFile f : byKey.values()) {
            f.seenInLastScan = false;
        }
        for (Map.Entry<Path, BasicFileAttributes> e : files.entrySet()) {
            Path path = e.getKey();
            BasicFileAttributes attrs = e.getValue();
            Object fileKey = attrs.fileKey() != null ? attrs.fileKey() : path.toAbsolutePath().toString();
            seen.add(fileKey);
            TrackedFile tracked = byKey.get(fileKey);
            if (tracked != null) {
                if (!tracked.path.equals(path)) {
                    log.info("{} was renamed to {}; still following it (identity {})", tracked.path, path, tracked.identity);
                    tracked.path = path;
                }
                tracked.seenInLastScan = true;
                tracked.lastSeenMs = now;
                continue;
            }
            Candidate c = candidates.get(fileKey);
            if (c != null && c.state == CandidateState.FOREIGN && attrs.size() >= c.size) {
                continue; // another task's file; a shrink means a new file on a reused inode
            }
            if (c != null && (c.state == CandidateState.REFUSED || (c.state == CandidateState.INCOMPLETE
                    || c.state == CandidateState.CORRUPT || c.state == CandidateState.SKIPPED) && attrs.size() == c.size)) {
                continue;
            }
            if (!consider(path, attrs, fileKey, now, false)) {
                compressed.add(e);
            }
        }
        // a compressed file after every plain one: while gzip writes access.log.2.gz, access.log.2 has the same
        // identity and is the one read
        for (Map.Entry<Path, BasicFileAttributes> e : compressed) {
            BasicFileAttributes attrs = e.getValue();
            consider(e.getKey(), attrs, attrs.fileKey() != null ? attrs.fileKey() : e.getKey().toAbsolutePath().toString(), now, true);
        }
        candidates.keySet().retainAll(seen);
        truncatedKeys.retainAll(seen);
        if (!firstRunFiles.isEmpty()) {
            firstRunFiles.retainAll(seen);
        }
    }

    /**
     * Looks at a file not tracked yet and tracks it when it is this task's and nothing else has its identity.
     *
     * @param compressedPass whether this is the pass for compressed files
     * @return false when the file is compressed and this is not their pass (it is looked at again after the plain ones)
     */
    private boolean consider(Path path, BasicFileAttributes attrs, Object fileKey, long now, boolean compressedPass)
            throws IOException {
        long size = attrs.size();
        boolean predates = firstRunFiles.contains(fileKey) || attrs.lastModifiedTime().toMillis() < epochMs - MTIME_SLACK_MS;
        FileChannel channel;
        try {
            // the resolved path is checked and opened without following a link, so a link swapped in between is refused
            Path real = path.toRealPath();
            if (!settings.allowedPaths().allows(real)) {
                stats.filesRefused++;
                candidates.put(fileKey, new Candidate(CandidateState.REFUSED, size, null));
                log.warn("{} resolves to {}, outside the directories this worker allows ({}); it is not read", path, real,
                        settings.allowedPaths());
                return true;
            }
            channel = FileChannel.open(real, StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return true;
        }
        boolean keep = false;
        try {
            boolean gzip = GzipContent.isGzip(channel);
            if (gzip != compressedPass) {
                return !gzip;
            }
            String identity;
            try {
                identity = gzip ? compressedIdentity(channel) : Fingerprints.identity(channel, settings.fingerprintBytes());
            } catch (GzipContent.CorruptException e) {
                corrupt(path, fileKey, size, e);
                return true;
            }
            if (identity == null) {
                candidates.put(fileKey, new Candidate(CandidateState.INCOMPLETE, size, null));
                return true;
            }
            if (Math.floorMod(identity.hashCode(), settings.taskCount()) != settings.taskIndex()) {
                candidates.put(fileKey, new Candidate(CandidateState.FOREIGN, size, identity));
                return true;
            }
            TrackedFile owner = byIdentity.get(identity);
            if (owner != null && gzip && owner.gzip == null) {
                // the compression window: access.log.2 is read, access.log.2.gz continues it once access.log.2 is gone
                candidates.put(fileKey, new Candidate(CandidateState.CONFLICT, size, identity));
                log.debug("{} is the compressed copy of {} (identity {}); it continues that file once it is gone", path,
                        owner.path, identity);
                return true;
            }
            if (owner != null) {
                stats.fingerprintConflicts++;
                if (warnedConflicts.add(path + "|" + identity)) {
                    log.warn("{} starts with the same first line as {} (identity {}); it is held back, not read, until {} is "
                            + "rotated away or deleted, so that the two never share an offset. If this is not a copy, make "
                            + "the first lines differ (e.g. a header with the host and start time).", path, owner.path, identity,
                            owner.path);
                }
                candidates.put(fileKey, new Candidate(CandidateState.CONFLICT, size, identity));
                return true;
            }
            GzipContent content = null;
            long position;
            if (gzip) {
                content = new GzipContent(channel);
                try {
                    position = compressedStartPosition(path, identity, content, predates);
                } catch (GzipContent.CorruptException e) {
                    corrupt(path, fileKey, size, e);
                    return true;
                }
                if (position < 0) {
                    candidates.put(fileKey, new Candidate(position == SKIP ? CandidateState.SKIPPED : CandidateState.INCOMPLETE,
                            size, identity));
                    return true;
                }
            } else {
                position = startPosition(path, fileKey, identity, channel, predates);
            }
            candidates.remove(fileKey);
            TrackedFile f = new TrackedFile(identity, fileKey, path, channel,
                    new WindowAggregator(settings.windowSizeMs(), settings.windowGraceMs()), partFolders.length, position, now);
            f.gzip = content;
            f.size = channel.size();
            byKey.put(fileKey, f);
            byIdentity.put(identity, f);
            keep = true;
            log.info("Tailing {} from byte {}{} (identity {}, size {})", path, position, gzip ? " of its decompressed content" : "",
                    identity, f.size);
            return true;
        } finally {
            if (!keep) {
                channel.close();
            }
        }
    }

    private static final long SKIP = -2;
    private static final long WAIT = -1;

    private String compressedIdentity(FileChannel channel) throws IOException {
        byte[] head = GzipContent.head(channel, settings.fingerprintBytes());
        return Fingerprints.identityOfHead(head, head.length, settings.fingerprintBytes());
    }

    /**
     * Where to start in a compressed file: at the stored or known decompressed offset, checked like a plain file's;
     * at 0 when it has none and start.position is beginning; not at all ({@link #SKIP}) when start.position is end
     * (a compressed file has no end to follow); {@link #WAIT} while its content is shorter than the offset (it is
     * still being written). Leaves {@code content} at the position returned.
     */
    private long compressedStartPosition(Path path, String identity, GzipContent content, boolean predates) throws IOException {
        SourceOffset stored = offsetOf(identity);
        if (stored == null) {
            if (predates && !settings.compressedBackfill()) {
                log.info("{} is compressed, has no stored offset and was last written before this connector first read these logs "
                        + "({}): an archive that predates it, not read. files.compressed.backfill=true reads such archives.", path,
                        java.time.Instant.ofEpochMilli(epochMs));
                return SKIP;
            }
            return content.seek(0) ? 0 : WAIT;
        }
        long position = stored.position();
        long from = Math.max(0, position - Fingerprints.CHECK_BYTES);
        if (!content.seek(from)) {
            return WAIT;
        }
        byte[] before = new byte[(int) (position - from)];
        if (content.readUpTo(before, 0, before.length) != before.length) {
            return WAIT;
        }
        String actual = Fingerprints.checkOf(before, 0, before.length);
        if (position == 0 || (actual != null && (stored.check() == null || actual.equals(stored.check())))) {
            return position;
        }
        stats.offsetMismatches++;
        log.warn("The stored offset {} of identity {} does not fit the decompressed content of {}; reading it from the beginning",
                position, identity, path);
        return content.seek(0) ? 0 : WAIT;
    }

    private void corrupt(Path path, Object fileKey, long size, IOException e) {
        stats.corruptCompressed++;
        candidates.put(fileKey, new Candidate(CandidateState.CORRUPT, size, null));
        log.warn("{} is compressed but cannot be read: {}. It is skipped (corrupt-compressed-files-total) until it changes; "
                + "other files go on.", path, e.getMessage());
    }

    /** The offset we last emitted for an identity, else the stored one. */
    private SourceOffset offsetOf(String identity) {
        SourceOffset known = knownPositions.get(identity);
        return known != null ? known : storedOffsets.offset(identity);
    }

    /**
     * The oldest "since" of the stored offsets of the files found, or now: looked up before any file is started, so
     * that whether a file predates the connector does not depend on the order files are found in.
     */
    private long discoverEpoch(Map<Path, BasicFileAttributes> files) {
        long now = System.currentTimeMillis();
        long oldest = now;
        for (Path path : files.keySet()) {
            try {
                Path real = path.toRealPath();
                if (!settings.allowedPaths().allows(real)) {
                    continue;
                }
                try (FileChannel channel = FileChannel.open(real, StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    String identity = GzipContent.isGzip(channel) ? compressedIdentity(channel)
                            : Fingerprints.identity(channel, settings.fingerprintBytes());
                    SourceOffset stored = identity == null ? null : storedOffsets.offset(identity);
                    if (stored != null && stored.since() != null) {
                        oldest = Math.min(oldest, stored.since());
                    }
                }
            } catch (IOException e) {
                log.debug("{} not looked at for the epoch: {}", path, e.getMessage());
            }
        }
        if (oldest == now) {
            Set<Object> keys = new HashSet<>();
            files.forEach((path, attrs) -> keys.add(attrs.fileKey() != null ? attrs.fileKey() : path.toAbsolutePath().toString()));
            firstRunFiles = keys;
            log.info("These logs have not been read before: the {} files there now predate the connector", keys.size());
        }
        return oldest;
    }

    private long startPosition(Path path, Object fileKey, String identity, FileChannel channel, boolean predates) throws IOException {
        if (truncatedKeys.remove(fileKey)) {
            return 0; // the file was truncated in place (copytruncate): everything in it now is new
        }
        SourceOffset stored = offsetOf(identity);
        Long position = stored == null ? null : stored.position();
        String check = stored == null ? null : stored.check();
        if (position != null) {
            String actual = Fingerprints.check(channel, position);
            if (position == 0 || (actual != null && (check == null || actual.equals(check)))) {
                return position;
            }
            stats.offsetMismatches++;
            log.warn("The stored offset {} of identity {} does not fit {} ({}); this is another file with the same first "
                    + "line, or it was rewritten. Reading it from the beginning.", position, identity, path,
                    actual == null ? "the file is shorter or byte " + (position - 1) + " is not a line end" : "the bytes before it differ");
            return 0;
        }
        return settings.startAtEnd() && predates ? lastLineEnd(channel) : 0;
    }

    /** The position right after the last {@code \n}, so a file joined at its end is never entered mid-line. */
    private static long lastLineEnd(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long end = size;
        while (end > 0) {
            long from = Math.max(0, end - buf.capacity());
            buf.clear().limit((int) (end - from));
            while (buf.hasRemaining() && channel.read(buf, from + buf.position()) > 0) {
                // fill
            }
            for (int i = buf.position() - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return from + i + 1;
                }
            }
            end = from;
        }
        return 0;
    }

    // ---------------------------------------------------------------- reading

    /** Reads what is new in one file; false when the file must be dropped (truncated: it is re-discovered). */
    private boolean readFile(TrackedFile f, long now) throws IOException {
        if (f.gzip != null) {
            return readCompressed(f, now);
        }
        long size = f.channel.size();
        if (size < f.readPosition) {
            stats.truncations++;
            log.warn("{} shrank from {} to {} bytes (copytruncate): the {} bytes read so far are emitted; lines appended "
                    + "between the copy and the truncation cannot be recovered. Restarting it at byte 0.", f.path,
                    f.readPosition, size, f.rangeEnd);
            if (f.hasOpenRange()) {
                flush(f, f.rangeEnd);
            }
            truncatedKeys.add(f.fileKey); // the copy, if any, keeps the identity and our known position
            nextScanMs = 0; // re-fingerprint it at once
            return false;
        }
        f.size = size;
        long budget = MAX_BYTES_PER_FILE_PER_POLL;
        while (f.readPosition < size && budget > 0) {
            int n = readChunk(f, size);
            if (n <= 0) {
                break;
            }
            budget -= n;
            f.lastDataMs = now;
        }
        return true;
    }

    /** Reads what can be decompressed now; a corrupt stream drops the file (it is looked at again when it changes). */
    private boolean readCompressed(TrackedFile f, long now) throws IOException {
        f.size = f.channel.size();
        long budget = MAX_BYTES_PER_FILE_PER_POLL;
        try {
            while (f.gzip.hasMore() && budget > 0) {
                int n = readChunk(f, Long.MAX_VALUE);
                if (n <= 0) {
                    break;
                }
                budget -= n;
                f.lastDataMs = now;
            }
        } catch (GzipContent.CorruptException e) {
            if (f.hasOpenRange()) {
                flush(f, f.rangeEnd);
            }
            corrupt(f.path, f.fileKey, f.size, e);
            return false;
        }
        return true;
    }

    private int readChunk(TrackedFile f, long size) throws IOException {
        chunkFile = null;
        byte[] buf = buffer;
        int carry = f.carryLength;
        System.arraycopy(f.carry, 0, buf, 0, carry);
        int want = (int) Math.min(buf.length - carry, size - f.readPosition);
        int n;
        if (f.gzip != null) {
            n = f.gzip.readUpTo(buf, carry, want);
        } else {
            n = parsePool != null && want >= settings.parallelMinBytes()
                    ? readInParallel(f.channel, buf, carry, want, f.readPosition)
                    : f.channel.read(ByteBuffer.wrap(buf, carry, want), f.readPosition);
        }
        if (n <= 0) {
            return n;
        }
        f.readPosition += n;
        bytesRead += n;
        long base = f.readPosition - carry - n; // file offset of buf[0]
        int limit = carry + n;
        chunkFile = f;
        chunkBuf = buf;
        chunkBase = base;
        chunkLimit = limit;
        int lineStart = 0;
        int i = carry;
        if (f.skippingOverlong) {
            i = Bytes.indexOf(buf, i, limit, (byte) '\n');
            f.collectOverlongPrefix(buf, carry, i < 0 ? limit : i);
            if (i < 0) {
                f.carryLength = 0;
                return n;
            }
            f.skippingOverlong = false;
            rejectOverlong(f, f.overlongStart, base + i + 1);
            lineStart = ++i;
        }
        if (parsePool != null && limit - i >= settings.parallelMinBytes()) {
            // complete lines only: without a line end after i, buf[lineStart, limit) is one unfinished line
            int end = lastIndexOf(buf, i, limit, (byte) '\n') + 1;
            if (end > i && end - lineStart >= settings.parallelMinBytes()) {
                foldInParallel(f, buf, lineStart, end, base);
                lineStart = end;
                i = end;
            }
        }
        while ((i = Bytes.indexOf(buf, i, limit, (byte) '\n')) >= 0) {
            handleLine(f, buf, lineStart, i - lineStart, base + lineStart, base + i + 1);
            lineStart = ++i;
        }
        chunkFile = null; // the buffer is the next chunk's from here on
        if (lineStart > carry) {
            rememberTail(f, buf, lineStart);
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

    /**
     * Reads {@code want} bytes at {@code position} into {@code buf[off, off + want)} as one positional read per parse
     * thread, side by side. Copying a chunk out of the page cache (into the JDK's direct buffer, then into the heap)
     * was about a tenth of the worker's CPU, all of it on the task thread while the helpers waited for the next span;
     * split, it took 7 of 7 alternating end-to-end runs (median 2.10M against 1.96M lines/s, BENCHMARKS.md).
     * Returns the bytes read from {@code position} without a gap: the whole length, or less when a part came back short
     * (the file was truncated meanwhile), in which case what lies after the short part is not used. Package-private
     * for its test.
     */
    int readInParallel(FileChannel channel, byte[] buf, int off, int want, long position) throws IOException {
        int parts = partFolders.length;
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

    private static int lastIndexOf(byte[] buf, int from, int to, byte b) {
        for (int p = to - 1; p >= from; p--) {
            if (buf[p] == b) {
                return p;
            }
        }
        return from - 1;
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
    private void foldInParallel(TrackedFile f, byte[] buf, int from, int to, long base) throws IOException {
        int threads = partFolders.length;
        int pieces = (int) Math.max(threads, Math.min((long) threads * PIECES_PER_THREAD, (to - from) / MIN_PIECE_BYTES));
        int[] bounds = new int[pieces + 1];
        bounds[0] = from;
        bounds[pieces] = to;
        for (int k = 1; k < pieces; k++) {
            int target = Math.max(bounds[k - 1], from + (int) ((long) (to - from) * k / pieces));
            int nl = Bytes.indexOf(buf, target, to, (byte) '\n');
            bounds[k] = nl < 0 ? to : nl + 1;
        }
        if (!f.hasOpenRange()) {
            f.rangeOpenedMs = time.milliseconds();
        }
        List<RejectedLine>[] rejects = newRejectLists(pieces);
        LineRejectedException[] failures = new LineRejectedException[pieces];
        java.util.concurrent.atomic.AtomicInteger nextPiece = new java.util.concurrent.atomic.AtomicInteger();
        List<ParseHelpers.Job<Integer>> jobs = new ArrayList<>(threads - 1);
        for (int k = 1; k < threads; k++) {
            LineFolder helperFolder = partFolders[k];
            WindowAggregator helperAggregator = f.helperAggregator(k, settings.windowSizeMs(), settings.windowGraceMs());
            jobs.add(parsePool.submit(k - 1, () -> foldPieces(helperFolder, helperAggregator, nextPiece, bounds,
                    rejects, failures, f.path, buf, base)));
        }
        int lines = foldPieces(folder, f.aggregator, nextPiece, bounds, rejects, failures, f.path, buf, base);
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
            linesRejected += r.size();
        }
        linesRead += lines;
        f.rangeEnd = base + to;
        if (f.windowClosed() || f.pendingItems() >= settings.maxOpenGroups()) {
            flush(f, f.rangeEnd);
        }
    }

    /**
     * Folds pieces taken from {@code nextPiece} until none is left; returns the lines folded or rejected. A piece
     * that fails (parse.error.policy=fail) is recorded and no further pieces are taken; every lower piece was taken
     * before it, so the lowest recorded failure is the file's first bad line.
     */
    private int foldPieces(LineFolder pieceFolder, WindowAggregator agg, java.util.concurrent.atomic.AtomicInteger nextPiece,
                           int[] bounds, List<RejectedLine>[] rejects, LineRejectedException[] failures, Path path,
                           byte[] buf, long base) {
        int lines = 0;
        int k;
        while ((k = nextPiece.getAndIncrement()) < rejects.length) {
            try {
                lines += foldPart(pieceFolder, agg, rejects[k], path, buf, bounds[k], bounds[k + 1], base);
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

    /** Folds the lines of one part; thread-confined to its folder, aggregator and reject list. */
    private int foldPart(LineFolder partFolder, WindowAggregator agg, List<RejectedLine> rejects, Path path, byte[] buf,
                         int from, int to, long base) {
        int lines = 0;
        int start = from;
        int i;
        while ((i = Bytes.indexOf(buf, start, to, (byte) '\n')) >= 0) {
            lines++;
            int len = i - start;
            String reason = lineRule.overlong(len) ? lineRule.overlongReason(len) : partFolder.parse(buf, start, len);
            if (reason == null) {
                partFolder.foldInto(agg);
            } else {
                if (settings.failOnParseError()) {
                    throw new LineRejectedException(rejectMessage(path, base + start, reason, buf, start, len));
                }
                rejects.add(lineRule.reject(base + start, reason, buf, start, len, len));
            }
            start = i + 1;
        }
        return lines;
    }

    /** Keeps the bytes before the last line end of this chunk, merged with the previous tail when the line was short. */
    private static void rememberTail(TrackedFile f, byte[] buf, int lineEnd) {
        int n = Math.min(Fingerprints.CHECK_BYTES, lineEnd);
        int fromOld = Math.min(Fingerprints.CHECK_BYTES - n, f.tailLength);
        if (fromOld > 0) {
            System.arraycopy(f.tail, f.tailLength - fromOld, f.tail, 0, fromOld);
        }
        System.arraycopy(buf, lineEnd - n, f.tail, fromOld, n);
        f.tailLength = fromOld + n;
        f.tailPosition = f.rangeEnd;
    }

    private void handleLine(TrackedFile f, byte[] buf, int off, int len, long lineStart, long lineEnd) {
        linesRead++;
        if (f.rangeOpenedMs < 0 || !f.hasOpenRange()) {
            f.rangeOpenedMs = time.milliseconds();
        }
        String reason = lineRule.overlong(len) ? lineRule.overlongReason(len) : folder.parse(buf, off, len);
        if (reason != null) {
            reject(f, buf, off, len, len, lineStart, lineEnd, reason);
            return;
        }
        WindowAggregator agg = f.aggregator;
        if (f.pendingItems() >= settings.maxOpenGroups() && folder.opensGroupIn(agg)) {
            flush(f, lineStart); // max.open.groups reached: the range ends before this line
            f.rangeOpenedMs = time.milliseconds();
        }
        folder.foldInto(agg);
        f.rangeEnd = lineEnd;
        if (f.windowClosed()) {
            flush(f, lineEnd);
        }
    }

    /** Rejects the line at {@code lineStart} of {@code length} bytes, whose first {@code available} are at buf[off]. */
    private void reject(TrackedFile f, byte[] buf, int off, int available, long length, long lineStart, long lineEnd,
                        String reason) {
        linesRejected++;
        if (settings.failOnParseError()) {
            throw new LineRejectedException(rejectMessage(f.path, lineStart, reason, buf, off, available));
        }
        f.rejects.add(lineRule.reject(lineStart, reason, buf, off, available, length));
        f.rangeEnd = lineEnd;
        if (f.pendingItems() >= settings.maxOpenGroups()) {
            flush(f, lineEnd);
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

    private static String rejectMessage(Path path, long offset, String reason, byte[] buf, int off, int available) {
        return "Line at byte " + offset + " of " + path + " does not match log.format: " + reason + ". Line starts with: "
                + printable(buf, off, Math.min(available, 200)) + ". Fix log.format, or set parse.error.policy=skip (with "
                + "errors.topic) to count and route such lines instead of failing.";
    }

    static String printable(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len + 2).append('"');
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02X", c));
            }
        }
        return sb.append('"').toString();
    }

    // ---------------------------------------------------------------- flushing

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

    private void flush(TrackedFile f, long end) {
        if (end <= f.rangeStart) {
            return;
        }
        String check;
        try {
            check = checkFromChunk(f, end);
            if (check == null) {
                check = end == f.tailPosition && (f.tailLength == Fingerprints.CHECK_BYTES || f.tailLength == end)
                        ? Fingerprints.checkOf(f.tail, 0, f.tailLength)
                        : f.gzip != null ? GzipContent.checkBefore(f.channel, end) : Fingerprints.check(f.channel, end);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + f.path + " to checksum its offset", e);
        }
        if (check == null) {
            throw new IllegalStateException("internal error: flush point " + end + " of " + f.path + " is not a line end");
        }
        List<AggregateRow> rows = groupCap.apply(f.drain());
        stats.linesOverGroupCap = groupCap.linesOverCap();
        List<RejectedLine> rejects = List.copyOf(f.rejects);
        f.rejects.clear();
        output.add(new FlushBatch(f.identity, f.path, f.rangeStart, end, check, rows, rejects));
        stats.recordsEmitted += rows.size() + rejects.size();
        if (f.aggregator.lastEmittedWindowStart() > stats.lastEmittedWindowStart) {
            stats.lastEmittedWindowStart = f.aggregator.lastEmittedWindowStart();
        }
        f.rangeStart = end;
        knownPositions.put(f.identity, new SourceOffset(end, check, f.path.toString(), epochMs));
    }

    private void publishStats() {
        long behind = 0;
        int groups = 0;
        int windows = 0;
        for (TrackedFile f : byKey.values()) {
            behind += f.bytesBehind();
            groups += f.openGroups();
            windows += f.openWindows();
        }
        stats.bytesBehind = behind;
        stats.openGroups = groups;
        stats.openWindows = windows;
        stats.filesTracked = byKey.size();
        stats.linesRead = linesRead;
        stats.linesRejected = linesRejected;
        stats.bytesRead = bytesRead;
    }

    Collection<TrackedFile> trackedFiles() {
        return byKey.values();
    }

    private static void closeQuietly(TrackedFile f) {
        try {
            f.channel.close();
        } catch (IOException e) {
            log.debug("closing {}", f.path, e);
        }
    }

    @Override
    public void close() {
        if (parsePool != null) {
            parsePool.close();
        }
        for (TrackedFile f : byKey.values()) {
            closeQuietly(f);
        }
        byKey.clear();
        byIdentity.clear();
    }

    /** Test hook: the text of a rejected line. */
    static String text(RejectedLine r) {
        return new String(r.bytes(), StandardCharsets.UTF_8);
    }
}
