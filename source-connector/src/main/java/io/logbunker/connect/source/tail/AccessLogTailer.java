package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.window.GroupCap;
import io.logbunker.connect.source.window.LineFolder;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tails the files matching the configured globs like {@code tail -F}, parses every complete line, folds it into
 * per-file window aggregates and cuts the stream into {@link FlushBatch}es at flush points. Plain Java: the Connect
 * task only turns batches into records. This class orders the work of its parts: the {@link FileRegistry} (which
 * files, from where), the {@link ChunkReader} (bytes to lines, through each file's {@link FileContent}), the
 * {@link ParallelFolder} (the parse threads) and the {@link RangeFlusher} (batches and their offsets).
 *
 * <p>Single-threaded: every method is called from the task thread.
 */
public final class AccessLogTailer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLogTailer.class);
    private static final long IDLE_AFTER_MS = 5_000;
    private static final long IDLE_CHECK_INTERVAL_MS = 1_000;

    private final TailerSettings settings;
    private final Time time;
    private final LineFolder folder;
    private final TailerStats stats = new TailerStats();
    private final ParallelFolder parallel;
    private final FileRegistry registry;
    private final RangeFlusher flusher;
    private final ChunkReader reader;
    private long nextScanMs;

    public AccessLogTailer(TailerSettings settings, Time time, StoredOffsets storedOffsets) {
        this.settings = settings;
        this.time = time;
        this.folder = new LineFolder(settings.logFormat(), settings.groupBy(), settings.metricSpec());
        LineRule lineRule = new LineRule(settings.maxLineBytes(), settings.rejectedLineMaxBytes());
        this.parallel = ParallelFolder.create(settings, lineRule);
        this.registry = new FileRegistry(settings, storedOffsets, stats, parallel);
        this.flusher = new RangeFlusher(new GroupCap(settings.groupMaxPerWindow(), settings.windowSizeMs(), settings.windowGraceMs()),
                stats, registry);
        this.reader = new ChunkReader(settings, time, lineRule, parallel, flusher, registry, stats);
    }

    public LineFields fields() {
        return folder.fields();
    }

    /** When these logs were first read (the "since" of every offset); known after the first poll. */
    public long epochMs() {
        return registry.epochMs();
    }

    public TailerStats stats() {
        return stats;
    }

    /** Bytes behind of the tracked files by identity, for per-file metrics. */
    public Map<String, Long> bytesBehindByIdentity() {
        Map<String, Long> m = new HashMap<>();
        for (TrackedFile f : registry.files()) {
            m.put(f.identity, f.bytesBehind());
        }
        return m;
    }

    public Map<String, Path> pathsByIdentity() {
        Map<String, Path> m = new HashMap<>();
        for (TrackedFile f : registry.files()) {
            m.put(f.identity, f.path);
        }
        return m;
    }

    /**
     * One round: scan for files when due, read what has been appended, and cut batches at every flush point
     * reached. Returns the batches (possibly none); never blocks.
     */
    public List<FlushBatch> poll() throws IOException {
        long now = time.milliseconds();
        if (now >= nextScanMs) {
            registry.scan(now);
            nextScanMs = now + settings.scanIntervalMs();
        }
        for (TrackedFile f : new ArrayList<>(registry.files())) {
            // a file idle for a while is looked at once a second, not on every poll: 1,000 idle files stay cheap
            if (now - f.lastDataMs > IDLE_AFTER_MS && now - f.lastCheckMs < IDLE_CHECK_INTERVAL_MS && !f.hasOpenRange()) {
                continue;
            }
            f.lastCheckMs = now;
            if (!reader.read(f, now)) {
                nextScanMs = 0; // a truncated file is looked at again at once, under its new identity
            }
        }
        now = time.milliseconds();
        for (TrackedFile f : new ArrayList<>(registry.files())) {
            if (f.hasOpenRange() && (now - f.lastDataMs >= settings.flushIdleMs()
                    || now - f.rangeOpenedMs >= settings.flushMaxIntervalMs())) {
                flusher.flush(f, f.rangeEnd);
            }
            if (!f.seenInLastScan && !f.hasOpenRange() && !f.hasUnread() && f.carryLength == 0
                    && now - f.lastDataMs >= settings.releaseIdleMs()) {
                log.info("Released {} (identity {}): gone from the file patterns and idle for {} ms", f.path, f.identity,
                        now - f.lastDataMs);
                registry.drop(f);
            }
        }
        publishStats();
        return flusher.take();
    }

    /** Emits every open range now (used on graceful stop would lose nothing either way; offsets stay exact). */
    public List<FlushBatch> flushAll() {
        for (TrackedFile f : registry.files()) {
            if (f.hasOpenRange()) {
                flusher.flush(f, f.rangeEnd);
            }
        }
        return flusher.take();
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
        for (TrackedFile f : registry.files()) {
            if (f.hasOpenRange()) {
                due = Math.min(due, Math.min(f.lastDataMs + settings.flushIdleMs(), f.rangeOpenedMs + settings.flushMaxIntervalMs()));
            }
        }
        return due == Long.MAX_VALUE ? due : Math.max(0, due - now);
    }

    /** True while a file has unread bytes, so the task can poll again at once instead of waiting. */
    public boolean hasBacklog() {
        for (TrackedFile f : registry.files()) {
            if (f.hasUnread()) {
                return true;
            }
        }
        return false;
    }

    private void publishStats() {
        long behind = 0;
        int groups = 0;
        int windows = 0;
        for (TrackedFile f : registry.files()) {
            behind += f.bytesBehind();
            groups += f.openGroups();
            windows += f.openWindows();
        }
        stats.bytesBehind = behind;
        stats.openGroups = groups;
        stats.openWindows = windows;
        stats.filesTracked = registry.files().size();
        stats.linesRead = reader.linesRead();
        stats.linesRejected = reader.linesRejected();
        stats.bytesRead = reader.bytesRead();
    }

    Collection<TrackedFile> trackedFiles() {
        return registry.files();
    }

    @Override
    public void close() {
        if (parallel != null) {
            parallel.close();
        }
        registry.close();
    }

    /** Test hook: the text of a rejected line. */
    static String text(RejectedLine r) {
        return new String(r.bytes(), StandardCharsets.UTF_8);
    }
}
