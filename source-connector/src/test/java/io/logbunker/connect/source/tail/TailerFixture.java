package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.AggregateRow;
import org.apache.kafka.common.utils.MockTime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Builds tailers over a temp directory, drives them with a mock clock and checks the emission rule on every batch. */
final class TailerFixture {
    final Path dir;
    /** The clock; a test may replace it before making a tailer (e.g. one that advances on every reading). */
    MockTime time = new MockTime(0, 1_700_000_000_000L, 0);
    String glob;
    List<String> groupBy = List.of("status");
    String format = "combined";
    long windowMs = 60_000;
    long graceMs = 0;
    long idleMs = 1_000;
    long maxIntervalMs = 3_600_000;
    int maxOpenGroups = 100_000;
    int groupMaxPerWindow;
    boolean compressedBackfill;
    int maxLineBytes;
    int readChunk;
    int taskIndex = 0;
    int taskCount = 1;
    boolean startAtEnd;
    boolean failOnParseError;
    int parseThreads;
    int parallelMinBytes;
    int batchedLookupGroups;
    int rejectedLineMaxBytes = 65_536;
    String metrics = "";
    String pathDimensions = "";
    String hostName = "";
    String fenceLockFile = "";
    AllowedPaths allowedPaths = AllowedPaths.unrestricted();

    /** identity -> stored offset, as Connect would keep it: the end of the last batch. */
    final Map<String, SourceOffset> offsets = new HashMap<>();
    final List<FlushBatch> batches = new ArrayList<>();
    private final Map<String, Long> lastEnd = new HashMap<>();

    TailerFixture(Path dir, TailerProfile profile) {
        this.dir = dir;
        this.glob = dir.toAbsolutePath() + "/access.log*";
        this.readChunk = profile.readChunk();
        this.maxLineBytes = profile.maxLineBytes();
        this.parseThreads = profile.parseThreads();
        this.parallelMinBytes = profile.parallelMinBytes();
        this.batchedLookupGroups = profile.batchedLookupGroups();
    }

    /** The settings of the sequential path with 1 MiB chunks, for tests about what the read path does not change. */
    TailerFixture(Path dir) {
        this(dir, new TailerProfile("1 MiB chunks, 1 thread", 1 << 20, 65_536, 1));
    }

    TailerSettings settings() {
        return TailerSettings.builder().includes(List.of(glob.split(","))).compressedBackfill(compressedBackfill).task(taskIndex, taskCount)
                .startAtEnd(startAtEnd).maxLineBytes(maxLineBytes).fingerprintBytes(4096).window(windowMs, graceMs)
                .flushIdleMs(idleMs).flushMaxIntervalMs(maxIntervalMs).maxOpenGroups(maxOpenGroups).groupMaxPerWindow(groupMaxPerWindow).scanIntervalMs(10)
                .releaseIdleMs(0).readChunkBytes(readChunk).groupBy(groupBy).logFormat(format)
                .failOnParseError(failOnParseError).parseThreads(parseThreads).parallelMinBytes(parallelMinBytes)
                .rejectedLineMaxBytes(rejectedLineMaxBytes).allowedPaths(allowedPaths).metrics(metrics, 0.01, 0.001)
                .pathDimensions(pathDimensions).hostName(hostName).fenceLockFile(fenceLockFile)
                .batchedLookupGroups(batchedLookupGroups).build();
    }

    /** The tailer made last: its epoch goes into the offsets the fixture stores, as the task does. */
    private AccessLogTailer current;

    AccessLogTailer tailer() {
        current = new AccessLogTailer(settings(), time, offsets::get);
        return current;
    }

    /** Polls until every file is read, then lets the idle timer fire so every open range is emitted. */
    List<FlushBatch> drain(AccessLogTailer t) throws IOException {
        List<FlushBatch> out = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            out.addAll(accept(t.poll()));
            if (!t.hasBacklog()) {
                break;
            }
        }
        time.sleep(idleMs + 20);
        out.addAll(accept(t.poll()));
        time.sleep(idleMs + 20);
        out.addAll(accept(t.poll()));
        return out;
    }

    List<FlushBatch> accept(List<FlushBatch> polled) {
        for (FlushBatch b : polled) {
            Long prev = lastEnd.get(b.identity());
            if (prev != null) {
                assertEquals(prev.longValue(), b.startPosition(), "ranges of " + b.path() + " must be contiguous");
            }
            lastEnd.put(b.identity(), b.endPosition());
            offsets.put(b.identity(), new SourceOffset(b.endPosition(), b.check(), b.path().toString(), current.epochMs()));
            batches.add(b);
        }
        return polled;
    }

    /** The end of the last batch emitted for {@code file}'s identity (its stored offset), or -1. */
    long lastEnd(Path file) {
        for (int i = batches.size() - 1; i >= 0; i--) {
            if (batches.get(i).path().equals(file)) {
                return batches.get(i).endPosition();
            }
        }
        return -1;
    }

    /** Forget contiguity tracking, as after a restart that resumes from the stored offsets. */
    void restarted() {
        lastEnd.clear();
    }

    long requests() {
        return batches.stream().flatMap(b -> b.rows().stream()).mapToLong(AggregateRow::requests).sum();
    }

    long bytes() {
        return batches.stream().flatMap(b -> b.rows().stream()).mapToLong(AggregateRow::bytesSent).sum();
    }

    long rejects() {
        return batches.stream().mapToLong(b -> b.rejects().size()).sum();
    }

    Map<String, Long> requestsByStatus() {
        Map<String, Long> m = new java.util.TreeMap<>();
        for (FlushBatch b : batches) {
            for (AggregateRow r : b.rows()) {
                m.merge(r.dimensions().get(0), r.requests(), Long::sum);
            }
        }
        return m;
    }

    /** Requests per row key: the row's dimensions joined with '/' (file key fields, then group-by values). */
    Map<String, Long> requestsByKey() {
        Map<String, Long> m = new java.util.TreeMap<>();
        for (FlushBatch b : batches) {
            for (AggregateRow r : b.rows()) {
                m.merge(String.join("/", r.dimensions()), r.requests(), Long::sum);
            }
        }
        return m;
    }

    /** A combined-format line at 10:mm:ss on 22 Nov 2026 with this status. */
    static String at(int minute, int second, int status) {
        return String.format("1.1.1.1 - - [22/Nov/2026:10:%02d:%02d +0000] \"GET /t?ev=v HTTP/1.1\" %d 10 \"-\" \"-\"%n", minute, second, status);
    }

    static String line(int i, int status, long bytes) {
        int minute = (i / 50) % 60;
        int second = i % 60;
        return String.format("10.0.%d.%d - - [22/Nov/2026:10:%02d:%02d +0000] \"GET /t?ev=click&ad=%d HTTP/1.1\" %d %d \"-\" \"UA\"%n",
                (i / 250) % 250, i % 250, minute, second, i % 7, status, bytes).replace("\r", "");
    }

    void append(Path file, String text) throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Appends lines i in [from, to); returns their count. */
    long appendLines(Path file, int from, int to) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(line(i, i % 10 == 0 ? 404 : 200, i));
        }
        append(file, sb.toString());
        return to - from;
    }

    static long bytesOf(int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            s += i;
        }
        return s;
    }
}
