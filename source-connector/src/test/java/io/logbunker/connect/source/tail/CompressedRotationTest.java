package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rotations that logrotate compressed (access.log.1 -> access.log.2.gz) keep their identity and offset: the tailer
 * continues inside the decompressed content at the exact byte, never reads a file and its compressed copy both, waits
 * for a compressed file that is still being written and skips a corrupt one. Under every {@link TailerProfile}.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.logbunker.connect.source.tail.TailerProfile#all")
class CompressedRotationTest {
    @Parameter
    TailerProfile profile;

    @TempDir
    Path dir;

    private TailerFixture fixture() {
        return new TailerFixture(dir, profile);
    }

    private static byte[] gzip(byte[] content) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }

    /** Compresses {@code plain} into {@code gz} as gzip does (the original's mtime kept), then deletes it. */
    private static void compress(Path plain, Path gz) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(plain);
        Files.write(gz, gzip(Files.readAllBytes(plain)));
        Files.setLastModifiedTime(gz, mtime);
        Files.delete(plain);
    }

    /** Reads lines [0, readBefore) of a file, stops, appends up to {@code total}, compresses it, then reads on. */
    private void continueInCompressedCopy(int readBefore, int total) throws Exception {
        Path log = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(log, 0, readBefore);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        fx.appendLines(log, readBefore, total); // written while the connector is stopped
        compress(log, dir.resolve("access.log.1.gz"));
        fx.appendLines(log, total, total + 50); // nginx reopened a new access.log
        fx.restarted();
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(0, t.stats().offsetMismatches());
        }
        assertEquals(total + 50, fx.requests(), "every line once");
        assertEquals(TailerFixture.bytesOf(0, total + 50), fx.bytes());
    }

    @Test
    void aCompressedRotationContinuesAtTheExactByteInTheMiddle() throws Exception {
        continueInCompressedCopy(300, 1000);
    }

    @Test
    void aCompressedRotationReadToItsEndBeforeAddsNothing() throws Exception {
        continueInCompressedCopy(1000, 1000);
    }

    @Test
    void aCompressedRotationWithAStoredOffsetOfZeroIsReadWhole() throws Exception {
        Path log = dir.resolve("access.log.1");
        TailerFixture fx = fixture();
        fx.appendLines(log, 0, 400);
        String identity;
        try (var ch = java.nio.channels.FileChannel.open(log)) {
            identity = Fingerprints.identity(ch, 4096);
        }
        compress(log, dir.resolve("access.log.2.gz"));
        Files.setLastModifiedTime(dir.resolve("access.log.2.gz"), FileTime.fromMillis(System.currentTimeMillis() - 86_400_000L));
        fx.offsets.put(identity, new SourceOffset(0, "", null, System.currentTimeMillis() - 2 * 86_400_000L));
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(400, fx.requests());
    }

    @Test
    void whileGzipWritesTheCopyThePlainFileIsReadAndTheCopyContinuesItAfterwards() throws Exception {
        Path plain = dir.resolve("access.log.1");
        Path gz = dir.resolve("access.log.1.gz");
        TailerFixture fx = fixture();
        fx.appendLines(plain, 0, 500);
        try (AccessLogTailer t = fx.tailer()) {
            fx.accept(t.poll());
            byte[] whole = gzip(Files.readAllBytes(plain));
            Files.write(gz, Arrays.copyOf(whole, whole.length / 2)); // gzip has written half
            fx.time.sleep(20);
            fx.drain(t);
            Files.write(gz, whole);                                  // done; it deletes the original
            Files.delete(plain);
            fx.time.sleep(20);
            fx.drain(t);
            fx.drain(t);
            assertEquals(0, t.stats().fingerprintConflicts(), "the compression window is not a conflict");
        }
        assertEquals(500, fx.requests(), "read from the plain file, never from both");
    }

    @Test
    void aCompressedFileStillBeingWrittenIsReadUpToWhereItEndsAndCompletedLater() throws Exception {
        Path log = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(log, 0, 10);
        Path other = dir.resolve("other");
        fx.appendLines(other, 10, 3010);
        byte[] whole = gzip(Files.readAllBytes(other));
        Files.delete(other);
        Path gz = dir.resolve("access.log.9.gz");
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            Files.write(gz, Arrays.copyOf(whole, whole.length * 2 / 3)); // a copy in progress, written after the start
            fx.time.sleep(20);
            fx.drain(t);
            long partly = fx.requests();
            assertTrue(partly > 10 && partly < 3010, "the complete lines of the part so far: " + partly);
            Files.write(gz, whole);
            fx.time.sleep(20);
            fx.drain(t);
            assertEquals(0, t.stats().corruptCompressed());
        }
        assertEquals(3010, fx.requests());
        assertEquals(TailerFixture.bytesOf(0, 3010), fx.bytes());
    }

    @Test
    void aCorruptCompressedFileIsReportedAndTheOthersGoOn() throws Exception {
        Path log = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.appendLines(log, 0, 100);
        byte[] bad = gzip(Files.readAllBytes(log));
        for (int i = 20; i < bad.length - 8; i++) {
            bad[i] ^= 0x5a; // the deflate data is garbage, the header is fine
        }
        Files.write(dir.resolve("access.log.3.gz"), bad);
        Files.write(dir.resolve("access.log.4.gz"), new byte[] {0x1f, (byte) 0x8b, 'n', 'o', 't', ' ', 'g', 'z', 'i', 'p'});
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            fx.time.sleep(20);
            fx.drain(t);
            assertEquals(2, t.stats().corruptCompressed());
        }
        assertEquals(100, fx.requests());
    }

    @Test
    void aCompressedFileWhoseFirstLineIsLongerThanTheFingerprintContinuesItsPlainFile() throws Exception {
        Path log = dir.resolve("access.log");
        TailerFixture fx = fixture();
        String longFirst = "x".repeat(6000) + "\n"; // longer than fingerprint.max.bytes (4096): identity of its first 4096 bytes
        fx.append(log, longFirst);
        fx.appendLines(log, 0, 200);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        fx.appendLines(log, 200, 500);
        compress(log, dir.resolve("access.log.1.gz"));
        fx.restarted();
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(500, fx.requests());
        assertEquals(1, fx.rejects(), "the long first line, once");
    }

    @Test
    void anOperatorsOffsetOnACompressedIdentityIsWhereReadingStarts() throws Exception {
        Path plain = dir.resolve("x");
        TailerFixture fx = fixture();
        fx.appendLines(plain, 0, 300);
        long at = Files.size(plain);
        fx.appendLines(plain, 300, 700);
        String identity;
        try (var ch = java.nio.channels.FileChannel.open(plain)) {
            identity = Fingerprints.identity(ch, 4096);
        }
        compress(plain, dir.resolve("access.log.5.gz"));
        // as PATCH /connectors/<name>/offsets writes it: a position, no check
        fx.offsets.put(identity, SourceOffset.fromMap(java.util.Map.of("position", at)));
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(400, fx.requests());
        assertEquals(TailerFixture.bytesOf(300, 700), fx.bytes());
    }

    @Test
    void archivesThatPredateTheConnectorAreSkippedUnlessBackfillIsOn() throws Exception {
        Path log = dir.resolve("access.log");
        long twoWeeksAgo = System.currentTimeMillis() - 14 * 86_400_000L;
        for (int day = 2; day <= 4; day++) {
            Path plain = dir.resolve("old" + day);
            Files.writeString(plain, TailerFixture.line(day * 1000, 200, 1));
            new TailerFixture(dir, profile).appendLines(plain, day * 1000 + 1, day * 1000 + 100);
            Files.setLastModifiedTime(plain, FileTime.fromMillis(twoWeeksAgo + day));
            compress(plain, dir.resolve("access.log." + day + ".gz"));
        }
        TailerFixture fx = fixture();
        fx.appendLines(log, 0, 50);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(50, fx.requests(), "only the live file: the archives predate the connector");

        TailerFixture backfill = new TailerFixture(dir, profile);
        backfill.compressedBackfill = true;
        try (AccessLogTailer t = backfill.tailer()) {
            backfill.drain(t);
        }
        assertEquals(50 + 3 * 100, backfill.requests(), "on purpose, every archive once");
    }
}
