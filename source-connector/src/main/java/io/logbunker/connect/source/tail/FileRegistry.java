package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.WindowAggregator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
 * for it to go), asks {@link StartPositions} where each new file starts (knowing whether it predates the connector),
 * and forgets files that were dropped or released.
 */
final class FileRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileRegistry.class);
    /** File times come from a coarse kernel clock and other hosts' clocks: compare them with this much slack. */
    private static final long MTIME_SLACK_MS = 1_000;

    private enum CandidateState { INCOMPLETE, FOREIGN, CONFLICT, REFUSED, CORRUPT, SKIPPED }

    private record Candidate(CandidateState state, long size, String identity) {
    }

    private final TailerSettings settings;
    private final StartPositions starts;
    private final TailerStats stats;
    private final GlobScanner scanner;
    private final PlainContent.SplitRead split;
    private final FileDimensions dimensions;
    private final DirectoryFence fence;

    private final Map<Object, TrackedFile> byKey = new LinkedHashMap<>();
    private final Map<String, TrackedFile> byIdentity = new HashMap<>();
    private final Map<Object, Candidate> candidates = new HashMap<>();
    private final Set<Object> truncatedKeys = new HashSet<>();
    private final Set<String> warnedConflicts = new HashSet<>();
    /** When these logs were first read (wall clock, epoch ms): the oldest "since" of the stored offsets, or this start. */
    private long epochMs = -1;
    /** On the first run ever (no stored "since"), the files that were there: they predate the connector. */
    private Set<Object> firstRunFiles = Set.of();

    /**
     * @param split how plain files read large spans (the parse threads), or null
     */
    FileRegistry(TailerSettings settings, StoredOffsets storedOffsets, TailerStats stats, PlainContent.SplitRead split) {
        this.dimensions = settings.fileDimensions();
        this.fence = new DirectoryFence(settings.fenceLockFile());
        this.settings = settings;
        this.starts = new StartPositions(settings, storedOffsets, stats);
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
        starts.remember(identity, offset);
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
        truncatedKeys.add(f.fileKey);
        // the copy, if any, keeps the identity and continues where this file was left, also when nothing of it was
        // emitted (started at its end: the check is then unknown, and the copy must only end a line there)
        starts.rememberIfUnknown(f.identity, new SourceOffset(f.rangeEnd, null, f.path.toString(), epochMs));
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
        Set<Path> fencedDirs = new HashSet<>();
        for (Map.Entry<Path, BasicFileAttributes> e : files.entrySet()) {
            Path path = e.getKey();
            BasicFileAttributes attrs = e.getValue();
            if (fence.isLockFile(path)) {
                continue;
            }
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
            // another task's file is looked at again whenever its size changed: truncated and written past its old
            // size since the last scan (a copytruncate while the tasks were paused), it has a new identity that may be ours
            if (c != null && (c.state == CandidateState.REFUSED || (c.state == CandidateState.INCOMPLETE || c.state == CandidateState.FOREIGN
                    || c.state == CandidateState.CORRUPT || c.state == CandidateState.SKIPPED) && attrs.size() == c.size)) {
                continue;
            }
            Path dir = path.toAbsolutePath().getParent();
            if (fencedDirs.contains(dir) || !fence.allows(dir)) {
                fencedDirs.add(dir); // looked at again at the next scan
                continue;
            }
            if (!consider(path, attrs, fileKey, now, false)) {
                compressed.add(e);
            }
        }
        stats.directoriesFenced = fence.fencedDirectories();
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
        Candidate before = candidates.get(fileKey);
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
            String contentIdentity;
            try {
                contentIdentity = gzip ? compressedIdentity(channel) : Fingerprints.identity(channel, settings.fingerprintBytes());
            } catch (GzipContent.CorruptException e) {
                corrupt(path, fileKey, size, e);
                return true;
            }
            if (contentIdentity == null) {
                candidates.put(fileKey, new Candidate(CandidateState.INCOMPLETE, size, null));
                return true;
            }
            List<String> values = dimensions.valuesOf(path);
            String identity = FileDimensions.qualify(contentIdentity, values);
            if (Math.floorMod(identity.hashCode(), settings.taskCount()) != settings.taskIndex()) {
                candidates.put(fileKey, new Candidate(CandidateState.FOREIGN, size, identity));
                return true;
            }
            if (before != null && before.identity() != null && !before.identity().equals(identity)) {
                predates = false; // rewritten in place since it was last looked at: everything in it now is new
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
                    position = starts.compressed(path, identity, content, predates, epochMs);
                } catch (GzipContent.CorruptException e) {
                    corrupt(path, fileKey, size, e);
                    return true;
                }
                if (position < 0) {
                    candidates.put(fileKey, new Candidate(position == StartPositions.SKIP ? CandidateState.SKIPPED : CandidateState.INCOMPLETE,
                            size, identity));
                    return true;
                }
            } else {
                // a file truncated in place (copytruncate): everything in it now is new
                position = truncatedKeys.remove(fileKey) ? 0 : starts.plain(path, identity, channel, predates);
            }
            candidates.remove(fileKey);
            TrackedFile f = new TrackedFile(identity, fileKey, path, channel, gzip ? content : new PlainContent(channel, split,
                    settings.parallelMinBytes()).startAt(position), new WindowAggregator(settings.windowSizeMs(), settings.windowGraceMs(), settings.metricSpec()),
                    Math.max(1, settings.parseThreads()), position, now);
            f.pathValues = values;
            if (!dimensions.matches(path)) {
                log.warn("{} does not match path.dimensions: its rows get {} for {}", path, values, dimensions.names());
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

    /** A compressed file that is not valid gzip: skipped until it changes. */
    void corrupt(Path path, Object fileKey, long size, IOException e) {
        stats.corruptCompressed++;
        candidates.put(fileKey, new Candidate(CandidateState.CORRUPT, size, null));
        log.warn("{} is compressed but cannot be read: {}. It is skipped (corrupt-compressed-files-total) until it changes; "
                + "other files go on.", path, e.getMessage());
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
                    SourceOffset stored = identity == null ? null
                            : starts.stored(FileDimensions.qualify(identity, dimensions.valuesOf(path)));
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
        fence.close();
    }
}
