package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
