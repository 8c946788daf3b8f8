package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class FileRegistryTest {
    @TempDir
    Path dir;

    @Test
    void aPlainFileIsTrackedBeforeItsCompressedCopyWhateverTheNamesAndTheCopyWaits() throws Exception {
        String lines = TailerFixture.line(1, 200, 5) + TailerFixture.line(2, 200, 6);
        // "a-copy.gz" sorts before "b-plain": the compressed copy is still looked at after the plain file
        Files.writeString(dir.resolve("b-plain"), lines);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(lines.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        Files.write(dir.resolve("a-copy.gz"), out.toByteArray());
        TailerSettings settings = TailerSettings.builder().includes(List.of(dir + "/*")).build();
        TailerStats stats = new TailerStats();
        try (FileRegistry registry = new FileRegistry(settings, StoredOffsets.NONE, stats, null)) {
            registry.scan(0);
            registry.scan(1);
            assertEquals(List.of(dir.resolve("b-plain")), registry.files().stream().map(f -> f.path).toList());
            assertFalse(registry.files().iterator().next().content.compressed());
            assertEquals(0, stats.fingerprintConflicts(), "the compression window is not a conflict");
        }
    }
}
