package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which files a pattern matches, and the attributes the tailer gets with them (one stat per file). */
class GlobScannerTest {
    @TempDir
    Path dir;

    private Path write(String relative, String content) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    @Test
    void matchesRegularFilesAndLinksToThemWithTheTargetsAttributes() throws Exception {
        Path log = write("access.log", "12345\n");
        Path rotated = write("access.log.1", "1\n");
        write("access.log.2.gz", "zz");
        write("other.txt", "x");
        Files.createDirectories(dir.resolve("access.log.d")); // a directory that matches the pattern
        Path target = write("elsewhere/real.log", "1234567890\n");
        Path link = Files.createSymbolicLink(dir.resolve("access.log.link"), target);
        Files.createSymbolicLink(dir.resolve("access.log.dangling"), dir.resolve("missing"));

        Map<Path, BasicFileAttributes> found = new GlobScanner(List.of(dir + "/access.log*"), List.of("*.gz")).scan();

        assertEquals(List.of(log, rotated, link), List.copyOf(found.keySet()), "sorted; no .gz, directory or dangling link");
        assertEquals(6, found.get(log).size());
        assertTrue(found.get(link).isRegularFile(), "a link carries its target's attributes");
        assertEquals(11, found.get(link).size());
        assertEquals(Files.readAttributes(target, BasicFileAttributes.class).fileKey(), found.get(link).fileKey());
    }

    @Test
    void walksOnlyAsDeepAsThePatternUnlessItHasADoubleStar() throws Exception {
        Path top = write("logs/a.log", "a\n");
        Path deep = write("logs/host1/b.log", "b\n");
        Path deeper = write("logs/host1/old/c.log", "c\n");

        assertEquals(List.of(top), List.copyOf(new GlobScanner(List.of(dir + "/logs/*.log"), List.of()).scan().keySet()));
        assertEquals(List.of(deep), List.copyOf(new GlobScanner(List.of(dir + "/logs/*/*.log"), List.of()).scan().keySet()));
        assertEquals(List.of(deep, deeper),
                List.copyOf(new GlobScanner(List.of(dir + "/logs/**/*.log"), List.of()).scan().keySet()));
        assertTrue(new GlobScanner(List.of(dir + "/not-yet/*.log"), List.of()).scan().isEmpty(), "a missing directory is no error");
    }
}
