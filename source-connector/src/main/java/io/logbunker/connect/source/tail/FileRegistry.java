package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.WindowAggregator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which files this task reads, and from where: expands the patterns, follows renames, gives each file its identity and
 * owner task, holds back a file whose identity another tracked file has (the compressed copy of a plain file waits
 * for it to go), finds where each new file starts (its stored or known offset, checked; or per start.position and
 * whether it predates the connector), and forgets files that were dropped or released.
 */
final class FileRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileRegistry.class);
    private static final int KNOWN_POSITIONS_CAPACITY = 10_000;
    /** File times come from a coarse kernel clock and other hosts' clocks: compare them with this much slack. */
    private static final long MTIME_SLACK_MS = 1_000;
    private static final long SKIP = -2;
    private static final long WAIT = -1;

    private enum CandidateState { INCOMPLETE, FOREIGN, CONFLICT, REFUSED, CORRUPT, SKIPPED }

    private record Candidate(CandidateState state, long size, String identity) {
    }

    private final TailerSettings settings;
    private final StoredOffsets storedOffsets;
    private final TailerStats stats;
    private final GlobScanner scanner;
    private final PlainContent.SplitRead split;
    private final PathDimensions pathDimensions;

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
    /** When these logs were first read (wall clock, epoch ms): the oldest "since" of the stored offsets, or this start. */
    private long epochMs = -1;
    /** On the first run ever (no stored "since"), the files that were there: they predate the connector. */
    private Set<Object> firstRunFiles = Set.of();

    /**
     * @param split how plain files read large spans (the parse threads), or null
     */
    FileRegistry(TailerSettings settings, StoredOffsets storedOffsets, TailerStats stats, PlainContent.SplitRead split) {
        this.pathDimensions = settings.pathDimensionSpec();
        this.settings = settings;
        this.storedOffsets = storedOffsets;
        this.stats = stats;
        this.split = split;
        this.scanner = new GlobScanner(settings.includes(), settings.excludes());
    }

    /** The tracked files, in the order they were found. */
    Collection<TrackedFile> files() {
        return byKey.values();
    }

    /**
     * When these logs were first read, for the "since" of every offset; files last written before it predate the
     * connector. Known after the first scan.
     */
    long epochMs() {
        return epochMs;
    }

    /** The latest offset emitted for an identity: where a file with it continues before Connect has committed. */
    void remember(String identity, SourceOffset offset) {
        knownPositions.put(identity, offset);
    }

    /** Stops tracking a file (released, or to be looked at afresh); closes it. */
    void drop(TrackedFile f) {
        byKey.remove(f.fileKey);
        byIdentity.remove(f.identity);
        closeQuietly(f);
    }

    /** A file truncated in place (copytruncate): dropped, and started at 0 when the next scan finds it again. */
    void truncated(TrackedFile f) {
        drop(f);
        truncatedKeys.add(f.fileKey); // the copy, if any, keeps the identity and our known position
    }

    /** Expands the patterns: follows renames, and looks at every file not tracked yet. */
    void scan(long now) throws IOException {
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
            if (owner != null && gzip && !owner.content.compressed()) {
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
            TrackedFile f = new TrackedFile(identity, fileKey, path, channel, gzip ? content : new PlainContent(channel, split,
                    settings.parallelMinBytes()), new WindowAggregator(settings.windowSizeMs(), settings.windowGraceMs(), settings.metricSpec()),
                    Math.max(1, settings.parseThreads()), position, now);
            f.pathValues = pathDimensions.valuesOf(path);
            if (!pathDimensions.matches(path)) {
                log.warn("{} does not match path.dimensions: its rows get '-' for {}", path, pathDimensions.names());
            }
            byKey.put(fileKey, f);
            byIdentity.put(identity, f);
            keep = true;
            log.info("Tailing {} from byte {}{} (identity {}, size {})", path, position, gzip ? " of its decompressed content" : "",
                    identity, channel.size());
            return true;
        } finally {
            if (!keep) {
                channel.close();
            }
        }
    }

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

    /** A compressed file that is not valid gzip: skipped until it changes. */
    void corrupt(Path path, Object fileKey, long size, IOException e) {
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

    private static void closeQuietly(TrackedFile f) {
        try {
            f.channel.close();
        } catch (IOException e) {
            log.debug("closing {}", f.path, e);
        }
    }

    @Override
    public void close() {
        for (TrackedFile f : byKey.values()) {
            closeQuietly(f);
        }
        byKey.clear();
        byIdentity.clear();
    }
}
