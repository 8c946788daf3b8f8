package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GzipContentTest {
    @TempDir
    Path dir;

    private static byte[] content() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append("line ").append(i).append(" of the decompressed content\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void seeksForwardAndBackInDecompressedBytesAndChecksLikeAPlainFile() throws Exception {
        byte[] plain = content();
        Path file = dir.resolve("a.gz");
        Files.write(file, gzip(plain));
        try (FileChannel ch = FileChannel.open(file)) {
            assertTrue(GzipContent.isGzip(ch));
            GzipContent g = new GzipContent(ch);
            assertTrue(g.seek(500_000));
            byte[] buf = new byte[100];
            assertEquals(100, g.read(buf, 0, 100, 500_000));
            assertArrayEquals(Arrays.copyOfRange(plain, 500_000, 500_100), buf);
            assertTrue(g.seek(10), "back: from the start again");
            assertEquals(10, g.position());
            int lineEnd = new String(plain, StandardCharsets.US_ASCII).indexOf('\n', 300_000) + 1;
            assertEquals(Fingerprints.checkOf(plain, lineEnd - 64, 64), g.checkBefore(lineEnd));
            assertFalse(g.seek(plain.length + 1), "beyond the content");
            assertTrue(g.ended());
            assertEquals(Fingerprints.identityOfHead(plain, 4096, 4096), Fingerprints.identityOfHead(GzipContent.head(ch, 4096), 4096, 4096));
        }
    }

    @Test
    void aStreamThatStopsShortStallsAndContinuesWhenTheFileGrows() throws Exception {
        byte[] plain = content();
        byte[] whole = gzip(plain);
        Path file = dir.resolve("b.gz");
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        try (FileChannel ch = FileChannel.open(file)) {
            GzipContent g = new GzipContent(ch);
            byte[] buf = new byte[plain.length];
            int got = g.readUpTo(buf, 0, buf.length);
            assertTrue(got > 0 && got < plain.length, "the part there is: " + got);
            assertEquals(0, g.read(buf, got, buf.length - got, got), "stalled, not an error");
            assertFalse(g.hasMore(), "nothing new until the file grows");
            Files.write(file, whole);
            assertTrue(g.hasMore());
            int rest = g.readUpTo(buf, got, buf.length - got);
            assertEquals(plain.length - got, rest);
            assertArrayEquals(plain, buf);
            assertEquals(-1, g.readUpTo(new byte[10], 0, 10));
            assertTrue(g.ended());
        }
    }

    @Test
    void bytesThatAreNotGzipAreCorrupt() throws Exception {
        byte[] bad = gzip(content());
        for (int i = 20; i < bad.length - 8; i++) {
            bad[i] ^= 0x33;
        }
        Path file = dir.resolve("c.gz");
        Files.write(file, bad);
        try (FileChannel ch = FileChannel.open(file)) {
            assertThrows(GzipContent.CorruptException.class, () -> new GzipContent(ch).readUpTo(new byte[1 << 20], 0, 1 << 20));
        }
    }
}
