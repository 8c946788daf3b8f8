package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.logbunker.connect.source.tail.TailerFixture.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** path.dimensions on a shared volume: each host's directory gives its rows their host, and identity keeps it. */
class PathDimensionsTailerTest {
    @TempDir
    Path dir;


    @Test
    void eachHostsDirectoryNamesItsRowsAndARotatedOrMovedFileKeepsItsHost() throws Exception {
        Path web1 = Files.createDirectories(dir.resolve("web-1"));
        Path web2 = Files.createDirectories(dir.resolve("web-2"));
        Path other = Files.createDirectories(dir.resolve("misc"));
        TailerFixture fx = new TailerFixture(dir);
        fx.glob = dir.toAbsolutePath() + "/*/access.log*";
        fx.pathDimensions = "/(?<host>web-[0-9]+)/";
        fx.append(web1.resolve("access.log"), at(0, 1, 200) + at(0, 2, 404));
        fx.append(web2.resolve("access.log"), at(0, 1, 204)); // content decides identity: not a prefix of web-1's
        fx.append(other.resolve("access.log"), at(0, 3, 500));
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            // web-1 rotates (same identity, new name) and then its rotated file is moved where the pattern does not match
            Files.move(web1.resolve("access.log"), web1.resolve("access.log.1"));
            fx.append(web1.resolve("access.log.1"), at(0, 4, 200));
            fx.append(web1.resolve("access.log"), at(0, 5, 200) + "x".repeat(5000) + "\n");
            fx.time.sleep(50);
            fx.drain(t);
            Files.move(web1.resolve("access.log.1"), other.resolve("access.log.1"));
            fx.append(other.resolve("access.log.1"), at(0, 6, 200));
            fx.time.sleep(50);
            fx.drain(t);
        }
        assertEquals(Map.of("web-1/200", 4L, "web-1/404", 1L, "web-2/204", 1L, "-/500", 1L), fx.requestsByKey());
    }
}
