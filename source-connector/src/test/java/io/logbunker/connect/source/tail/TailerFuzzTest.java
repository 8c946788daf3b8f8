package io.logbunker.connect.source.tail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.logbunker.connect.source.window.AggregateRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the tailer: an arbitrary byte stream is written whole and read with one thread and large
 * chunks (the reference), then written in arbitrary pieces with polls between them and read with a chunk size and a
 * thread count the input picks. Invariants: no exception; the lines counted (folded + rejected) are the stream's
 * complete lines; every emitted offset is a line end; a rejected line's bytes are a prefix of the line at its offset;
 * and both reads give identical totals per (window, status) and identical rejected lines.
 */
class TailerFuzzTest {
    private static final int[] CHUNKS = {4096, 8192, 65_536};
    private static final int[] MAX_LINES = {256, 1024, 65_536};

    @FuzzTest(maxDuration = "20s")
    void anyStreamSplitAnywhereGivesTheSameTotalsForEveryChunkSizeAndThreadCount(FuzzedDataProvider data) throws IOException {
        int maxLine = data.pickValue(MAX_LINES);
        int chunk = data.pickValue(CHUNKS);
        int threads = data.consumeInt(1, 3);
        int pieces = data.consumeInt(1, 6);
        int[] cuts = new int[pieces - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, Integer.MAX_VALUE);
        }
        byte[] stream = data.consumeRemainingAsBytes();
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = stream.length == 0 ? 0 : cuts[i] % (stream.length + 1);
        }
        Arrays.sort(cuts);

        Path root = Files.createTempDirectory("logbunker-fuzz");
        try {
            Read reference = read(root.resolve("a"), stream, new int[0], new TailerProfile("reference", 4 << 20, maxLine, 1));
            Read variant = read(root.resolve("b"), stream, cuts, new TailerProfile("variant", chunk, maxLine, threads));
            long lineEnds = 0;
            for (byte b : stream) {
                lineEnds += b == '\n' ? 1 : 0;
            }
            if (reference.linesRead > 0) {
                assertEquals(lineEnds, reference.linesRead, "every complete line is counted once");
            }
            assertEquals(reference.linesRead, variant.linesRead, "lines read");
            assertEquals(reference.totals, variant.totals, "requests and bytes per (window, status)");
            assertEquals(reference.rejects, variant.rejects, "rejected lines");
            for (Read r : List.of(reference, variant)) {
                for (long end : r.ends) {
                    assertTrue(end == 0 || stream[(int) end - 1] == '\n', "offset " + end + " is not a line end");
                }
                for (Map.Entry<Long, byte[]> e : r.rejectBytes.entrySet()) {
                    int at = e.getKey().intValue();
                    byte[] kept = e.getValue();
                    assertArrayEquals(Arrays.copyOfRange(stream, at, at + kept.length), kept, "rejected bytes at " + at);
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private record Read(long linesRead, Map<String, Long> totals, Map<Long, String> rejects, Map<Long, byte[]> rejectBytes,
                        List<Long> ends) {
    }

    private static Read read(Path dir, byte[] stream, int[] cuts, TailerProfile profile) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("access.log");
        Files.write(file, new byte[0]);
        TailerFixture fx = new TailerFixture(dir, profile);
        long linesRead;
        try (AccessLogTailer t = fx.tailer()) {
            int from = 0;
            for (int cut : cuts) {
                Files.write(file, Arrays.copyOfRange(stream, from, cut), java.nio.file.StandardOpenOption.APPEND);
                from = cut;
                fx.time.sleep(20);
                fx.accept(t.poll());
            }
            Files.write(file, Arrays.copyOfRange(stream, from, stream.length), java.nio.file.StandardOpenOption.APPEND);
            fx.time.sleep(20);
            fx.drain(t);
            linesRead = t.stats().linesRead();
        }
        Map<String, Long> totals = new TreeMap<>();
        Map<Long, String> rejects = new TreeMap<>();
        Map<Long, byte[]> rejectBytes = new TreeMap<>();
        List<Long> ends = new ArrayList<>();
        for (FlushBatch b : fx.batches) {
            ends.add(b.endPosition());
            for (AggregateRow r : b.rows()) {
                totals.merge(r.windowStart() + "|" + r.dimensions() + "|requests", r.requests(), Long::sum);
                totals.merge(r.windowStart() + "|" + r.dimensions() + "|bytes", r.bytesSent(), Long::sum);
            }
            for (RejectedLine r : b.rejects()) {
                rejects.put(r.offset(), r.reason() + " / " + r.length() + " / " + Arrays.toString(r.bytes()));
                rejectBytes.put(r.offset(), r.bytes());
            }
        }
        return new Read(linesRead, totals, rejects, rejectBytes, ends);
    }
}
