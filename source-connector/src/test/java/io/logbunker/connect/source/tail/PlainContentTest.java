package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlainContentTest {
    @TempDir
    Path dir;

    @Test
    void readsUpToTheSizeLastSeenAndChecksTheBytesBeforeAPosition() throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "first line\nsecond");
        try (FileChannel ch = FileChannel.open(file)) {
            PlainContent c = new PlainContent(ch, null, 1 << 20);
            byte[] buf = new byte[100];
            assertEquals(17, c.read(buf, 0, 100, 0));
            assertFalse(c.hasUnread(17));
            Files.writeString(file, " line\n", StandardOpenOption.APPEND);
            assertEquals(0, c.read(buf, 0, 100, 17), "not seen before refreshSize");
            assertEquals(23, c.refreshSize());
            assertTrue(c.hasUnread(17));
            assertEquals(6, c.bytesBehind(17));
            assertEquals(6, c.read(buf, 0, 100, 17));
            assertEquals(" line\n", new String(buf, 0, 6, StandardCharsets.US_ASCII));
            assertEquals(Fingerprints.checkOf("first line\n".getBytes(StandardCharsets.US_ASCII), 0, 11), c.checkBefore(11));
            assertNull(c.checkBefore(12), "not after a line end");
        }
    }

    @Test
    void tellsWhetherTheBytesLastReadAreStillThereAcrossShortReads() throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "x".repeat(100) + "\n");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            PlainContent c = new PlainContent(ch, null, 1 << 20);
            assertTrue(c.unchangedBefore(50), "nothing read yet: nothing to compare");
            PlainContent resumed = new PlainContent(ch, null, 1 << 20).startAt(80);
            byte[] buf = new byte[100];
            assertEquals(90, c.read(buf, 0, 90, 0));
            for (long p = 90; p < 101; p++) {
                assertEquals(1, c.read(buf, 0, 1, p)); // reads of one byte still compare the 64 bytes before
            }
            assertTrue(c.unchangedBefore(101));
            assertTrue(c.unchangedBefore(60), "not where the last read ended: nothing to compare");
            assertTrue(resumed.unchangedBefore(80));

            ch.write(ByteBuffer.wrap(new byte[] {'y'}), 40); // 61 bytes before the end: inside the window
            assertTrue(c.unchangedBefore(101), "the same size: not read back (an idle file costs no read)");
            ch.write(ByteBuffer.wrap(new byte[] {'\n'}), 101);
            c.refreshSize();
            resumed.refreshSize();
            assertFalse(c.unchangedBefore(101), "grown: read back, and the byte at 40 changed");
            assertFalse(resumed.unchangedBefore(80), "rewritten before the first read after the start position");
            ch.write(ByteBuffer.wrap(new byte[] {'x'}), 40);
            assertTrue(c.unchangedBefore(101));

            ch.truncate(0);
            c.refreshSize();
            assertFalse(c.unchangedBefore(101), "shorter than the position");
            ch.write(ByteBuffer.wrap(("z".repeat(200) + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            c.refreshSize();
            assertFalse(c.unchangedBefore(101), "truncated and grown past the position");
        }
    }
}
