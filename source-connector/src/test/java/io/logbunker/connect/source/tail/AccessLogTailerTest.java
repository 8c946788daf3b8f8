package io.logbunker.connect.source.tail;

import io.logbunker.connect.testkit.RealLogs;
import io.logbunker.connect.source.window.AggregateRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs under every {@link TailerProfile}: chunk sizes, max.line.bytes and parse threads must not change a total. */
@ParameterizedClass(name = "{0}")
@MethodSource("io.logbunker.connect.source.tail.TailerProfile#all")
class AccessLogTailerTest {
    @Parameter
    TailerProfile profile;

    private TailerFixture fixture() {
        return new TailerFixture(dir, profile);
    }

    @TempDir
    Path dir;

    static List<String> realLogs() {
        return RealLogs.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realLogs")
    void realLogsReproduceTheirGroundTruthExactly(String name) throws Exception {
        RealLogs.Log log = RealLogs.load(name, dir);
        Path file = dir.resolve("access.log");
        Files.copy(log.file(), file, StandardCopyOption.REPLACE_EXISTING);
        TailerFixture fx = fixture();
        fx.format = RealLogs.formatOf(name);
        fx.maxLineBytes = 65_536; // real lines are longer than some profiles allow
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(log.lines(), t.stats().linesRead(), "lines read");
            assertEquals(0, t.stats().linesRejected(), "rejected lines: " + fx.batches.stream()
                    .flatMap(b -> b.rejects().stream()).limit(3).map(AccessLogTailer::text).toList());
        }
        assertEquals(new TreeMap<>(log.statusCounts()), fx.requestsByStatus());
        assertEquals(log.bytesSum(), fx.bytes());
        assertEquals(Files.size(file), fx.batches.get(fx.batches.size() - 1).endPosition());

        // per-minute counts from the ground truth: the first non-empty minutes
        Map<Long, Long> perMinute = new TreeMap<>();
        fx.batches.forEach(b -> b.rows().forEach(r -> perMinute.merge(r.windowStart(), r.requests(), Long::sum)));
        log.truth().get("first5_nonempty_minutes_utc").forEach(pair -> {
            long minute = Instant.parse(pair.get(0).asText().replace("Z", ":00Z")).toEpochMilli();
            assertEquals(pair.get(1).asLong(), perMinute.getOrDefault(minute, 0L), "requests in minute " + pair.get(0).asText());
        });
    }

    @Test
    void halfWrittenLineWaitsForItsNewlineAcrossPollsAndRestarts() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        String l0 = TailerFixture.line(0, 200, 10);
        String l1 = TailerFixture.line(1, 200, 20);
        fx.append(file, l0 + l1.substring(0, 30));
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(1, fx.requests());
            assertEquals(l0.length(), fx.offsets.values().iterator().next().position());
        }
        // a restart resumes at the stored offset, which is a line end, and the line completes later
        fx.append(file, l1.substring(30));
        fx.restarted();
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(2, fx.requests());
        assertEquals(30, fx.bytes());
        assertEquals(Files.size(file), fx.offsets.values().iterator().next().position());
    }

    @Test
    void restartFromStoredOffsetNeitherLosesNorRepeats() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(file, 0, 1000);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        fx.appendLines(file, 1000, 2500);
        fx.restarted();
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(2500, fx.requests());
        assertEquals(TailerFixture.bytesOf(0, 2500), fx.bytes());
    }

    @Test
    void renameRotationWhileWritingLosesNothingAndReadsNothingTwice() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        long lines = fx.appendLines(file, 0, 500);
        try (AccessLogTailer t = fx.tailer()) {
            fx.accept(t.poll());
            Files.move(file, dir.resolve("access.log.1"));
            lines += fx.appendLines(dir.resolve("access.log.1"), 500, 600); // nginx flushes buffers into the renamed file
            lines += fx.appendLines(file, 600, 900);                      // and reopens a new access.log
            fx.time.sleep(20);
            fx.accept(t.poll());
            lines += fx.appendLines(dir.resolve("access.log.1"), 900, 910);
            Files.move(dir.resolve("access.log.1"), dir.resolve("access.log.2"));
            Files.move(file, dir.resolve("access.log.1"));
            lines += fx.appendLines(file, 910, 1200);
            fx.drain(t);
            assertEquals(3, t.stats().filesTracked());
        }
        assertEquals(lines, fx.requests());
        assertEquals(TailerFixture.bytesOf(0, 1200), fx.bytes());
    }

    /**
     * Lines written after the truncation: fewer than were read (the file shrank), or more (a paused connector, or a task
     * blocked on Kafka, does not read for hours while logrotate runs, and the file never looks smaller); also after a
     * restart that resumed at the stored offset and read nothing before the truncation.
     */
    @ParameterizedTest(name = "{0} lines after the truncation, restarted before: {1}")
    @CsvSource({"150, false", "650, false", "650, true"})
    void copytruncateRestartsTheFileAndTheCopyCarriesTheOldIdentity(int linesAfter, boolean restartedBefore) throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(file, 0, 300);
        int total = 350 + linesAfter;
        if (restartedBefore) {
            try (AccessLogTailer t = fx.tailer()) {
                fx.drain(t);
            }
            fx.restarted();
        }
        try (AccessLogTailer t = fx.tailer()) {
            fx.accept(t.poll());
            fx.appendLines(file, 300, 350);                 // written, not read yet
            Files.copy(file, dir.resolve("access.log.1")); // logrotate copies ...
            try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(0);                              // ... then truncates in place
            }
            fx.appendLines(file, 350, total);
            fx.drain(t);
            assertEquals(1, t.stats().truncations());
        }
        // the lines between the last read and the copy were picked up from the copy: nothing lost in this ordering
        assertEquals(total, fx.requests());
        assertEquals(TailerFixture.bytesOf(0, total), fx.bytes());
        assertEquals(0, fx.batches.stream().mapToLong(b -> b.rejects().size()).sum(), "no line was cut in two");
    }

    @Test
    void identicalFirstLinesNeverShareAnOffset() throws Exception {
        Path a = dir.resolve("access.log");
        Path b = dir.resolve("access.log.other");
        TailerFixture fx = fixture();
        String first = TailerFixture.line(0, 200, 1);
        fx.append(a, first);
        fx.appendLines(a, 1, 100);
        fx.append(b, first);
        fx.appendLines(b, 1000, 1050);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(100, fx.requests(), "only one of the two is read while both exist");
            assertTrue(t.stats().fingerprintConflicts() > 0);
            Files.delete(a);
            fx.restarted(); // the identity's ranges start over in the other file
            fx.time.sleep(100);
            fx.drain(t);
            fx.drain(t);
            assertEquals(1, t.stats().offsetMismatches(), "the other file's offset is refused by its check");
        }
        assertEquals(100 + 51, fx.requests());
    }

    @Test
    void emptyAndShortFilesWaitForTheirFirstLine() throws Exception {
        Path file = dir.resolve("access.log");
        Files.createFile(file);
        TailerFixture fx = fixture();
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(0, t.stats().filesTracked());
            String l0 = TailerFixture.line(0, 200, 5);
            fx.append(file, l0.substring(0, 10));
            fx.time.sleep(20);
            fx.drain(t);
            assertEquals(0, t.stats().filesTracked());
            fx.append(file, l0.substring(10));
            fx.time.sleep(20);
            fx.drain(t);
            assertEquals(1, t.stats().filesTracked());
        }
        assertEquals(1, fx.requests());
    }

    @Test
    void manyFilesAreEachReadOnceAndSpreadOverTasksWithoutOverlap() throws Exception {
        TailerFixture fx0 = fixture();
        TailerFixture fx1 = fixture();
        fx0.taskCount = 2;
        fx1.taskCount = 2;
        fx1.taskIndex = 1;
        for (int f = 0; f < 200; f++) {
            fx0.appendLines(dir.resolve("access.log." + f), f * 10, f * 10 + 10);
        }
        try (AccessLogTailer t0 = fx0.tailer(); AccessLogTailer t1 = fx1.tailer()) {
            fx0.drain(t0);
            fx1.drain(t1);
            assertEquals(200, t0.stats().filesTracked() + t1.stats().filesTracked());
            assertTrue(t0.stats().filesTracked() > 50 && t1.stats().filesTracked() > 50);
        }
        assertEquals(2000, fx0.requests() + fx1.requests());
        assertEquals(TailerFixture.bytesOf(0, 2000), fx0.bytes() + fx1.bytes());
    }

    /** With start.position=end in the connector's first run too: the file was there, its new content was not. */
    @ParameterizedTest(name = "start at end: {0}")
    @ValueSource(booleans = {false, true})
    void aFileRewrittenUnderOneTaskIsReadByTheTaskItsNewIdentityBelongsTo(boolean startAtEnd) throws Exception {
        TailerFixture fx0 = fixture();
        TailerFixture fx1 = fixture();
        fx0.taskCount = 2;
        fx1.taskCount = 2;
        fx1.taskIndex = 1;
        fx0.startAtEnd = startAtEnd;
        fx1.startAtEnd = startAtEnd;
        Path file = dir.resolve("access.log");
        fx0.appendLines(file, 0, 300);
        int first = 350;
        while (ownerOf(first) == ownerOf(0)) {
            first++;
        }
        try (AccessLogTailer t0 = fx0.tailer(); AccessLogTailer t1 = fx1.tailer()) {
            fx0.drain(t0);
            fx1.drain(t1);
            // paused, or blocked on Kafka: logrotate's copytruncate runs and the file grows past its old size
            Files.copy(file, dir.resolve("access.log.1"));
            try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            fx0.appendLines(file, first, first + 650);
            // the owner of the old identity sees the rewrite and lets go; the other task's next scans take the file
            for (int round = 0; round < 3; round++) {
                fx0.drain(t0);
                fx1.drain(t1);
            }
        }
        int before = startAtEnd ? 0 : 300;
        assertEquals(before + 650, fx0.requests() + fx1.requests());
        assertEquals(TailerFixture.bytesOf(0, before) + TailerFixture.bytesOf(first, first + 650), fx0.bytes() + fx1.bytes());
    }

    /** The task (of two) whose file starts with line {@code i}. */
    private static int ownerOf(int i) {
        byte[] head = TailerFixture.line(i, i % 10 == 0 ? 404 : 200, i).getBytes(StandardCharsets.UTF_8);
        return Math.floorMod(Fingerprints.identityOfHead(head, head.length, 4096).hashCode(), 2);
    }

    @Test
    void overlongLinesAreRejectedWithoutBufferingAndNeighboursSurvive() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.maxLineBytes = 1024;
        fx.readChunk = 4096;
        fx.appendLines(file, 0, 5);
        fx.append(file, "x".repeat(50_000) + "\n");
        fx.appendLines(file, 5, 10);
        fx.append(file, "y".repeat(2000) + "\n"); // longer than max, shorter than a chunk
        fx.appendLines(file, 10, 12);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(14, t.stats().linesRead());
            assertEquals(2, t.stats().linesRejected());
        }
        assertEquals(12, fx.requests());
        List<RejectedLine> rejects = fx.batches.stream().flatMap(b -> b.rejects().stream()).toList();
        assertTrue(rejects.get(0).reason().contains("longer than max.line.bytes"));
        assertEquals(TailerFixture.line(0, 200, 0).length() * 0 + lineOffsetOfFirstReject(file), rejects.get(0).offset());
        assertTrue(rejects.get(0).bytes().length <= 1024);
    }

    @ParameterizedTest(name = "{0} parse thread(s)")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3})
    void parallelPartsKeepExactTotalsAcrossOverlongLinesAndGrowth(int threads) throws Exception {
        // Small chunks and a low parallel threshold: most chunks are parsed in parts; an overlong line longer than
        // the buffer (skipped across chunks) and one shorter than a chunk (rejected inside a part) sit between
        // them, and the file grows between drains, ending in half a line.
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.maxLineBytes = 1024;
        fx.readChunk = 8192;
        fx.parseThreads = threads;
        fx.parallelMinBytes = 2048;
        fx.appendLines(file, 0, 300);
        fx.append(file, "x".repeat(20_000) + "\n");
        fx.appendLines(file, 300, 600);
        fx.append(file, "y".repeat(1500) + "\n");
        fx.appendLines(file, 600, 700);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            fx.appendLines(file, 700, 1500);
            fx.append(file, TailerFixture.line(1500, 200, 7).substring(0, 40)); // half a line: waits
            fx.drain(t);
            assertEquals(1502, t.stats().linesRead());
            assertEquals(2, t.stats().linesRejected());
        }
        assertEquals(1500, fx.requests());
        assertEquals(TailerFixture.bytesOf(0, 1500), fx.bytes());
        assertEquals(Files.size(file) - 40, fx.batches.get(fx.batches.size() - 1).endPosition());
        assertEquals(List.of(lineOffsetOfFirstReject(file)), fx.batches.stream().flatMap(b -> b.rejects().stream())
                .filter(r -> r.reason().contains("longer")).map(RejectedLine::offset).limit(1).toList());
    }

    private static long lineOffsetOfFirstReject(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 'x') {
                return i;
            }
        }
        return -1;
    }

    /** A valid combined line of about {@code size} bytes (a long user agent), with its newline. */
    private static String longLine(int i, int size) {
        String base = TailerFixture.line(i, 200, 77);
        int pad = Math.max(0, size - base.length());
        return base.replace("\"UA\"", "\"UA" + "u".repeat(pad) + "\"");
    }

    private static void drainAWhile(TailerFixture fx, AccessLogTailer t) throws Exception {
        fx.time.sleep(20);
        fx.drain(t);
    }

    @Test
    void aLongLineWrittenInPiecesCountsOnceWhenItsNewlineArrives() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(file, 0, 2);
        long longAt = Files.size(file);
        String longLine = longLine(2, 30_000);
        try (AccessLogTailer t = fx.tailer()) {
            drainAWhile(fx, t);
            for (int piece = 0; piece < 3; piece++) {
                int from = longLine.length() * piece / 3;
                int to = longLine.length() * (piece + 1) / 3;
                fx.append(file, longLine.substring(from, to));
                drainAWhile(fx, t);
                if (piece < 2) {
                    assertEquals(longAt, fx.lastEnd(file), "the offset stays before the unfinished line");
                }
            }
            fx.appendLines(file, 3, 5);
            drainAWhile(fx, t);
        }
        assertEquals(Files.size(file), fx.lastEnd(file));
        int length = longLine.length() - 1;
        if (length <= fx.maxLineBytes) {
            assertEquals(5, fx.requests());
            assertEquals(0, fx.rejects());
        } else {
            assertEquals(4, fx.requests());
            RejectedLine r = fx.batches.stream().flatMap(b -> b.rejects().stream()).findFirst().orElseThrow();
            assertEquals(longAt, r.offset());
            assertEquals(length, r.length());
            assertTrue(r.reason().contains("longer than max.line.bytes"), r.reason());
            assertEquals(longLine.substring(0, 1024), AccessLogTailer.text(r));
        }
    }

    @Test
    void aLineLongerThanTheBufferWithoutItsNewlineNeverMovesTheOffsetIntoIt() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(file, 0, 3);
        long longAt = Files.size(file);
        StringBuilder huge = new StringBuilder();
        for (int i = 0; huge.length() < 200_000; i++) {
            huge.append((char) ('a' + i % 26));
        }
        try (AccessLogTailer t = fx.tailer()) {
            fx.append(file, huge.substring(0, 150_000));
            drainAWhile(fx, t);
            assertEquals(longAt, fx.lastEnd(file));
            fx.append(file, huge.substring(150_000));
            drainAWhile(fx, t);
            assertEquals(longAt, fx.lastEnd(file));
            fx.append(file, "\n");
            fx.appendLines(file, 3, 6);
            drainAWhile(fx, t);
        }
        assertEquals(Files.size(file), fx.lastEnd(file));
        assertEquals(6, fx.requests());
        List<RejectedLine> rejects = fx.batches.stream().flatMap(b -> b.rejects().stream()).toList();
        assertEquals(1, rejects.size());
        assertEquals(longAt, rejects.get(0).offset());
        assertEquals(200_000, rejects.get(0).length());
        assertEquals(huge.substring(0, 1024), AccessLogTailer.text(rejects.get(0)));
    }

    @Test
    void rejectedLinesKeepExactlyTheirOwnBytes() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        List<String> bad = new java.util.ArrayList<>();
        for (int len : new int[] {1, 30, 255, 256, 257, 300, 1000, 1023, 1024, 1025, 1500, 5000, 70_000}) {
            StringBuilder b = new StringBuilder("bad" + len + ":");
            while (b.length() < len) {
                b.append((char) ('A' + b.length() % 26));
            }
            bad.add(b.substring(0, len));
        }
        bad.add("crlf line that does not parse\r");
        bad.add("x".repeat(1023) + "\r" + "y".repeat(600)); // a \r inside the kept prefix is the line's own byte
        List<Long> offsets = new java.util.ArrayList<>();
        fx.appendLines(file, 0, 2);
        for (int i = 0; i < bad.size(); i++) {
            offsets.add(Files.size(file));
            fx.append(file, bad.get(i) + "\n");
            fx.appendLines(file, 2 + i, 3 + i);
        }
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        List<RejectedLine> rejects = fx.batches.stream().flatMap(b -> b.rejects().stream()).toList();
        assertEquals(bad.size(), rejects.size());
        assertEquals(2 + bad.size(), fx.requests());
        for (int i = 0; i < bad.size(); i++) {
            String line = bad.get(i);
            int kept = line.length() > fx.maxLineBytes ? Math.min(1024, line.length())
                    : line.endsWith("\r") ? line.length() - 1 : line.length();
            if (line.length() > fx.maxLineBytes && line.length() <= 1024 && line.endsWith("\r")) {
                kept--;
            }
            RejectedLine r = rejects.get(i);
            assertEquals(offsets.get(i), r.offset(), "offset of bad line " + i);
            assertEquals(line.length(), r.length(), "length of bad line " + i);
            assertEquals(line.substring(0, kept), AccessLogTailer.text(r), "bytes of bad line " + i);
        }
    }

    @Test
    void rejectedLineBytesCanBeCappedOrOmitted() throws Exception {
        for (int cap : new int[] {0, 10}) {
            Path sub = Files.createDirectories(dir.resolve("cap" + cap));
            Path file = sub.resolve("access.log");
            TailerFixture fx = new TailerFixture(sub, profile);
            fx.rejectedLineMaxBytes = cap;
            fx.appendLines(file, 0, 2);
            fx.append(file, "this is not an access log line\n");
            fx.append(file, "z".repeat(100_000) + "\n");
            try (AccessLogTailer t = fx.tailer()) {
                fx.drain(t);
            }
            List<RejectedLine> rejects = fx.batches.stream().flatMap(b -> b.rejects().stream()).toList();
            assertEquals(List.of("this is not an access log line".substring(0, cap), "z".repeat(cap)),
                    rejects.stream().map(AccessLogTailer::text).toList());
            assertEquals(List.of(30L, 100_000L), rejects.stream().map(RejectedLine::length).toList());
        }
    }

    @Test
    void filesStartingWithAnEmptyLineEachKeepTheirOwnIdentity() throws Exception {
        TailerFixture fx = fixture();
        for (int f = 0; f < 3; f++) {
            Path file = dir.resolve(f == 0 ? "access.log" : "access.log." + f);
            fx.append(file, "\n");
            fx.appendLines(file, f * 100, f * 100 + 100);
        }
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(3, t.stats().filesTracked());
            assertEquals(0, t.stats().fingerprintConflicts());
        }
        assertEquals(300, fx.requests());
        assertEquals(3, fx.rejects(), "the empty first lines");
        assertTrue(fx.batches.stream().flatMap(b -> b.rejects().stream()).allMatch(r -> r.reason().equals("empty line")));
    }

    @Test
    void aCardinalityBombIsCappedPerWindowWithExactTotals() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.groupBy = List.of("request_uri");
        fx.groupMaxPerWindow = 50;
        fx.maxOpenGroups = 40; // ranges end inside windows: admissions must hold across them
        java.util.Random random = new java.util.Random(7);
        Map<String, Long> truth = new TreeMap<>(); // "window|uri" -> lines, counted from what is written
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            String uri = i % 3 == 0 ? "/popular" + (i % 5) : "/scan/" + Long.toHexString(random.nextLong());
            int minute = i / 1000;
            sb.append(String.format("10.0.0.1 - - [22/Nov/2026:10:%02d:%02d +0000] \"GET %s HTTP/1.1\" 404 1 \"-\" \"x\"%n",
                    minute, (i / 20) % 60, uri));
            truth.merge(minute + "|" + uri, 1L, Long::sum);
        }
        fx.append(file, sb.toString());
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            Map<String, Long> stored = new TreeMap<>(); // as the sink would merge the partials
            fx.batches.forEach(b -> b.rows().forEach(r -> stored.merge((r.windowStart() - fx.batches.get(0).rows().get(0).windowStart())
                    / 60_000 + "|" + r.dimensions().get(0), r.requests(), Long::sum)));
            assertEquals(3000, stored.values().stream().mapToLong(Long::longValue).sum(), "every line in exactly one row");
            long other = 0;
            for (int minute = 0; minute < 3; minute++) {
                String prefix = minute + "|";
                long groups = stored.keySet().stream().filter(k -> k.startsWith(prefix) && !k.endsWith("|__other__")).count();
                assertEquals(50, groups, "own groups in minute " + minute);
                other += stored.getOrDefault(prefix + "__other__", 0L);
            }
            assertEquals(other, t.stats().linesOverGroupCap());
            stored.forEach((k, n) -> {
                if (!k.endsWith("|__other__")) {
                    assertTrue(n <= truth.get(k), k + ": a lower bound of " + truth.get(k) + ", got " + n);
                }
            });
        }
    }

    @Test
    void badLinesAreRejectedWithFileOffsetAndReasonAndNeverCounted() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(file, 0, 3);
        long badAt = Files.size(file);
        fx.append(file, "this is not an access log line\n");
        fx.append(file, "1.2.3.4 - - [99/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\n");
        fx.append(file, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 2x0 1 \"-\" \"-\"\n");
        fx.append(file, "\n");
        fx.appendLines(file, 3, 5);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(5, fx.requests());
        List<RejectedLine> rejects = fx.batches.stream().flatMap(b -> b.rejects().stream()).toList();
        assertEquals(4, rejects.size());
        assertEquals(badAt, rejects.get(0).offset());
        assertEquals("this is not an access log line", new String(rejects.get(0).bytes(), StandardCharsets.UTF_8));
        assertTrue(rejects.get(1).reason().contains("time"));
        assertTrue(rejects.get(2).reason().contains("status"));
    }

    @Test
    void failPolicyStopsWithFileOffsetAndLineStart() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.failOnParseError = true;
        fx.appendLines(file, 0, 2);
        long at = Files.size(file);
        fx.append(file, "garbage line\n");
        try (AccessLogTailer t = fx.tailer()) {
            LineRejectedException e = assertThrows(LineRejectedException.class, () -> fx.drain(t));
            assertTrue(e.getMessage().contains("byte " + at), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()));
            assertTrue(e.getMessage().contains("\"garbage line\""));
        }
    }

    @ParameterizedTest(name = "{0} parse threads")
    @org.junit.jupiter.params.provider.ValueSource(ints = {2, 3})
    void failPolicyReportsTheFirstBadLineInFileOrderWhenPiecesAreParsedInParallel(int threads) throws Exception {
        // bad lines in several pieces of one parallel span: whichever thread meets one first, the error names the
        // earliest, as a sequential read would
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.failOnParseError = true;
        fx.parseThreads = threads;
        fx.readChunk = 1 << 20;
        fx.parallelMinBytes = 4096;
        fx.appendLines(file, 0, 25);
        long first = Files.size(file);
        fx.append(file, "first garbage\n");
        for (int k = 1; k < 400; k++) { // a bad line every 25 lines: every piece has some
            fx.appendLines(file, 25 * k, 25 * k + 25);
            fx.append(file, "later garbage " + k + "\n");
        }
        try (AccessLogTailer t = fx.tailer()) {
            LineRejectedException e = assertThrows(LineRejectedException.class, () -> fx.drain(t));
            assertTrue(e.getMessage().contains("byte " + first + " "), e.getMessage());
            assertTrue(e.getMessage().contains("\"first garbage\""), e.getMessage());
        }
    }

    @Test
    void startAtEndSkipsExistingLinesButNotAPartialOne() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.startAtEnd = true;
        fx.appendLines(file, 0, 100);
        String l = TailerFixture.line(100, 200, 7);
        fx.append(file, l.substring(0, 20));
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            fx.append(file, l.substring(20));
            fx.appendLines(file, 101, 110);
            fx.drain(t);
        }
        assertEquals(10, fx.requests());
    }

    @Test
    void deletedFilesAreReleasedAfterBeingReadToTheEnd() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(file, 0, 10);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(1, t.stats().filesTracked());
            fx.appendLines(file, 10, 20);
            Files.delete(file); // still readable through the open channel
            fx.drain(t);
            fx.drain(t);
            assertEquals(0, t.stats().filesTracked());
        }
        assertEquals(20, fx.requests());
    }

    @Test
    void unreadableDirectoryIsAnErrorButAMissingOneIsNot() throws Exception {
        TailerFixture fx = fixture();
        fx.glob = dir.resolve("not-yet").toAbsolutePath() + "/access.log*";
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(0, t.stats().filesTracked());
            Files.createDirectory(dir.resolve("not-yet"));
            fx.appendLines(dir.resolve("not-yet").resolve("access.log"), 0, 3);
            fx.time.sleep(20);
            fx.drain(t);
        }
        assertEquals(3, fx.requests());
        assertFalse(fx.batches.isEmpty());
        AggregateRow any = fx.batches.get(0).rows().get(0);
        assertEquals(60_000, any.windowEnd() - any.windowStart());
    }
}
