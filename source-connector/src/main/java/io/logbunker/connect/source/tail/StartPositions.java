package io.logbunker.connect.source.tail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a newly found file starts: at the offset last emitted for its identity, else the stored one (checked against
 * the bytes before it), else per start.position and whether the file predates the connector.
 */
final class StartPositions {
    private static final Logger log = LoggerFactory.getLogger(StartPositions.class);
    private static final int KNOWN_POSITIONS_CAPACITY = 10_000;
    /** A compressed file that is not read at all: start.position is end, or it is an archive that predates the connector. */
    static final long SKIP = -2;
    /** A compressed file whose content is still shorter than its offset: it is being written. */
    static final long WAIT = -1;

    private final TailerSettings settings;
    private final StoredOffsets storedOffsets;
    private final TailerStats stats;
    /** Our own latest positions, newer than the offset storage until Connect commits. */
    private final Map<String, SourceOffset> knownPositions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SourceOffset> eldest) {
            return size() > KNOWN_POSITIONS_CAPACITY;
        }
    };

    StartPositions(TailerSettings settings, StoredOffsets storedOffsets, TailerStats stats) {
        this.settings = settings;
        this.storedOffsets = storedOffsets;
        this.stats = stats;
    }

    /** The latest offset emitted for an identity: where a file with it continues before Connect has committed. */
    void remember(String identity, SourceOffset offset) {
        knownPositions.put(identity, offset);
    }

    /**
     * The stored offset of an identity; for a qualified one without its own, the offset stored under its content
     * identity alone by a version that did not qualify identities (it is then stored qualified from the next flush).
     */
    SourceOffset stored(String identity) {
        SourceOffset own = storedOffsets.offset(identity);
        String content = FileDimensions.contentIdentity(identity);
        if (own != null || content.equals(identity)) {
            return own;
        }
        SourceOffset unqualified = storedOffsets.offset(content);
        if (unqualified != null) {
            log.info("Identity {} has no offset of its own; continuing from the one stored under {} before identities were "
                    + "qualified by the file's key fields", identity, content);
        }
        return unqualified;
    }

    /** Remembers where a file left off when nothing was emitted or stored for its identity (a file started at its end). */
    void rememberIfUnknown(String identity, SourceOffset offset) {
        if (offsetOf(identity) == null) {
            knownPositions.put(identity, offset);
        }
    }

    /** The offset we last emitted for an identity, else the stored one. */
    private SourceOffset offsetOf(String identity) {
        SourceOffset known = knownPositions.get(identity);
        return known != null ? known : stored(identity);
    }

    /** Where to start in a plain file. */
    long plain(Path path, String identity, FileChannel channel, boolean predates) throws IOException {
        SourceOffset stored = offsetOf(identity);
        if (stored != null) {
            long position = stored.position();
            String actual = Fingerprints.check(channel, position);
            if (position == 0 || (actual != null && (stored.check() == null || actual.equals(stored.check())))) {
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

    /**
     * Where to start in a compressed file: at the stored or known decompressed offset, checked like a plain file's;
     * at 0 when it has none and start.position is beginning; not at all ({@link #SKIP}) when start.position is end
     * (a compressed file has no end to follow); {@link #WAIT} while its content is shorter than the offset (it is
     * still being written). Leaves {@code content} at the position returned.
     *
     * @param epochMs when these logs were first read, for the message about a skipped archive
     */
    long compressed(Path path, String identity, GzipContent content, boolean predates, long epochMs) throws IOException {
        SourceOffset stored = offsetOf(identity);
        if (stored == null) {
            if (predates && !settings.compressedBackfill()) {
                log.info("{} is compressed, has no stored offset and was last written before this connector first read these logs "
                        + "({}): an archive that predates it, not read. files.compressed.backfill=true reads such archives.", path,
                        Instant.ofEpochMilli(epochMs));
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
}
