package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.GroupCap;
import io.logbunker.connect.source.window.WindowAggregator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RangeFlusherTest {
    @TempDir
    Path dir;

    @Test
    void theCheckOfAFlushInsideAChunkIsTheFilesCheckWhetherTheBytesBeforeItAreInTheChunkOrInTheTail() throws Exception {
        String text = "0123456789 first line that is long enough to fill the check\nsecond\nthird line\n";
        Path file = dir.resolve("f");
        Files.writeString(file, text);
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        TailerSettings settings = TailerSettings.builder().includes(List.of(dir + "/*")).build();
        TailerStats stats = new TailerStats();
        FileRegistry registry = new FileRegistry(settings, StoredOffsets.NONE, stats, null);
        RangeFlusher flusher = new RangeFlusher(new GroupCap(0, 60_000, 0), stats, registry);
        try (FileChannel ch = FileChannel.open(file)) {
            TrackedFile f = new TrackedFile("id", "key", file, ch, new PlainContent(ch, null, 1 << 20), new WindowAggregator(60_000, 0),
                    1, 0, 0);
            int first = text.indexOf('\n') + 1;
            int second = text.indexOf('\n', first) + 1;
            // the previous chunk ended at the first line end: its last 64 bytes are the remembered tail
            RangeFlusher.rememberTail(f, bytes, first);
            f.tailPosition = first;
            f.rangeStart = 0;
            byte[] chunk = java.util.Arrays.copyOfRange(bytes, first, bytes.length);
            flusher.beginChunk(f, chunk, first, chunk.length);
            f.rangeEnd = second;
            flusher.flush(f, second); // 7 bytes of the chunk, 57 of the tail
            f.rangeEnd = bytes.length;
            flusher.flush(f, bytes.length); // the last line end: 64 bytes inside the chunk
            flusher.endChunk();
            List<FlushBatch> batches = flusher.take();
            assertEquals(Fingerprints.check(ch, second), batches.get(0).check());
            assertEquals(Fingerprints.check(ch, bytes.length), batches.get(1).check());
            assertEquals(List.of(0L, (long) second), batches.stream().map(FlushBatch::startPosition).toList());
        }
    }
}
