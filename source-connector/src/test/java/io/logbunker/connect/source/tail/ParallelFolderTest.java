package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.WindowAggregator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParallelFolderTest {
    @TempDir
    Path dir;

    private static TailerSettings settings(int threads) {
        return TailerSettings.builder().includes(List.of("/x/*")).parseThreads(threads).maxLineBytes(1024).build();
    }

    @ParameterizedTest(name = "{0} parse threads")
    @ValueSource(ints = {2, 3})
    void splitReadsReturnOnlyTheBytesBeforeTheFirstShortPart(int threads) throws Exception {
        // a chunk is sized from the file's size, then read in one part per thread; if the file shrank in between
        // (copytruncate), a part comes back short and nothing after it may count, even what a later part read
        Path file = dir.resolve("access.log");
        byte[] content = new byte[30_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) ('a' + i % 26);
        }
        Files.write(file, content);
        TailerSettings s = settings(threads);
        try (ParallelFolder p = ParallelFolder.create(s, new LineRule(s.maxLineBytes(), 65_536));
             FileChannel ch = FileChannel.open(file)) {
            byte[] buf = new byte[40_000];
            assertEquals(30_000, p.read(ch, buf, 7, 30_000, 0), "whole");
            assertEquals(new String(content, StandardCharsets.US_ASCII), new String(buf, 7, 30_000, StandardCharsets.US_ASCII));
            assertEquals(20_000, p.read(ch, buf, 0, 36_000, 10_000), "the last part short");
            assertEquals(new String(content, 10_000, 20_000, StandardCharsets.US_ASCII),
                    new String(buf, 0, 20_000, StandardCharsets.US_ASCII));
            assertEquals(5_000, p.read(ch, buf, 0, 36_000, 25_000), "the first part short, the rest empty");
            assertEquals(0, p.read(ch, buf, 0, 36_000, 30_000), "nothing left");
        }
    }

    private static LineBatch batch(TailerSettings s) {
        return new LineBatch(new LineRule(s.maxLineBytes(), 65_536), s.batchedLookupGroups(),
                () -> new LineFolder(s.logFormat(), s.groupBy()));
    }

    @ParameterizedTest(name = "{0} parse threads, lines batched from {1} open groups")
    @CsvSource({"2, 16384", "3, 16384", "2, 0", "3, 0"})
    void foldingInPiecesCountsEveryLineOnceAndKeepsRejectsInFileOrder(int threads, int batchedFrom) throws Exception {
        StringBuilder sb = new StringBuilder();
        int good = 0;
        for (int i = 0; i < 5000; i++) {
            if (i % 97 == 5) {
                sb.append("bad line ").append(i).append('\n');
            } else {
                sb.append(TailerFixture.line(i, 200, i));
                good++;
            }
        }
        byte[] buf = sb.toString().getBytes(StandardCharsets.US_ASCII);
        TailerSettings s = TailerSettings.builder().includes(List.of("/x/*")).parseThreads(threads).maxLineBytes(1024)
                .batchedLookupGroups(batchedFrom).build();
        try (ParallelFolder p = ParallelFolder.create(s, new LineRule(s.maxLineBytes(), 65_536))) {
            TrackedFile f = new TrackedFile("id", "key", dir.resolve("f"), null, null, new WindowAggregator(60_000, 0, s.metricSpec()), threads, 0, 0);
            assertEquals(5000, p.fold(f, batch(s), buf, 0, buf.length, 1000));
            assertEquals(good, f.drain().stream().mapToLong(r -> r.requests()).sum());
            List<Long> offsets = f.rejects.stream().map(RejectedLine::offset).toList();
            assertEquals(offsets.stream().sorted().toList(), offsets, "file order");
            assertEquals(5000 - good, offsets.size());
            assertTrue(offsets.get(0) > 1000, "offsets are the file's: base + index");
        }
    }

    @ParameterizedTest(name = "{0} parse threads, lines batched from {1} open groups")
    @CsvSource({"2, 16384", "3, 16384", "2, 0", "3, 0"})
    void theFailPolicyReportsTheFirstBadLineInFileOrder(int threads, int batchedFrom) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            sb.append(i == 1500 || i == 3500 ? "bad line " + i + "\n" : TailerFixture.line(i, 200, 1));
        }
        byte[] buf = sb.toString().getBytes(StandardCharsets.US_ASCII);
        TailerSettings s = TailerSettings.builder().includes(List.of("/x/*")).parseThreads(threads).failOnParseError(true)
                .batchedLookupGroups(batchedFrom).build();
        try (ParallelFolder p = ParallelFolder.create(s, new LineRule(s.maxLineBytes(), 65_536))) {
            TrackedFile f = new TrackedFile("id", "key", dir.resolve("f"), null, null, new WindowAggregator(60_000, 0, s.metricSpec()), threads, 0, 0);
            LineRejectedException e = assertThrows(LineRejectedException.class,
                    () -> p.fold(f, batch(s), buf, 0, buf.length, 0));
            assertTrue(e.getMessage().contains("\"bad line 1500\""), e.getMessage());
        }
    }
}
