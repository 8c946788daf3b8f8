package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.logbunker.connect.source.tail.TailerFixture.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many hosts' logs in one offset store: identities qualified by the host, a dead host's directory resumed by another
 * host under its own name, offsets stored before identities were qualified, and the directory fence.
 */
class FleetTailerTest {
    @TempDir
    Path dir;


    @Test
    void twoHostsWhoseLogsBeginWithTheSameLineKeepTheirOwnOffsetsAcrossARestart() throws Exception {
        Path web1 = Files.createDirectories(dir.resolve("web-1"));
        Path web2 = Files.createDirectories(dir.resolve("web-2"));
        String healthCheck = at(0, 0, 200); // a load balancer's first request, the same second on both
        TailerFixture fx = new TailerFixture(dir);
        fx.glob = dir.toAbsolutePath() + "/*/access.log*";
        fx.pathDimensions = "/(?<host>web-[0-9]+)/";
        fx.append(web1.resolve("access.log"), healthCheck + at(0, 1, 404));
        fx.append(web2.resolve("access.log"), healthCheck + at(0, 2, 500) + at(0, 3, 500));
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            assertEquals(0, t.stats().fingerprintConflicts(), "not held back as one file");
        }
        fx.restarted();
        fx.append(web1.resolve("access.log"), at(1, 0, 200));
        fx.append(web2.resolve("access.log"), at(1, 1, 200));
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(Map.of("web-1/200", 2L, "web-1/404", 1L, "web-2/200", 2L, "web-2/500", 2L), fx.requestsByKey());
        assertTrue(fx.offsets.keySet().stream().allMatch(id -> id.contains("@web-")), "offsets per host: " + fx.offsets.keySet());
    }

    @Test
    void aDeadHostsDirectoryAttachedToAnotherHostResumesAtItsOffsetUnderItsOwnName() throws Exception {
        // web-2 reads its own log (host.name from its environment) and dies after part of it
        Path own2 = Files.createDirectories(dir.resolve("host-2/var/log/nginx"));
        TailerFixture web2 = new TailerFixture(dir);
        web2.glob = own2.toAbsolutePath() + "/access.log*";
        web2.hostName = "web-2";
        web2.append(own2.resolve("access.log"), at(0, 1, 200) + at(0, 2, 404));
        try (AccessLogTailer t = web2.tailer()) {
            web2.drain(t);
        }
        web2.append(own2.resolve("access.log"), at(0, 3, 200) + at(1, 0, 503)); // written, never read by web-2
        // web-3's connector reads its own log and, at a second pattern, the directories of hosts it adopts
        Path own3 = Files.createDirectories(dir.resolve("host-3/var/log/nginx"));
        Path adopted = Files.createDirectories(dir.resolve("host-3/var/log/adopted"));
        TailerFixture web3 = new TailerFixture(dir);
        web3.offsets.putAll(web2.offsets); // one offsets topic for the fleet
        web3.glob = own3.toAbsolutePath() + "/access.log*," + adopted.toAbsolutePath() + "/*/access.log*";
        web3.hostName = "web-3";
        web3.pathDimensions = "^" + java.util.regex.Pattern.quote(adopted.toAbsolutePath().toString()) + "/(?<host>[^/]+)/";
        web3.append(own3.resolve("access.log"), at(0, 5, 200));
        Files.move(own2, adopted.resolve("web-2")); // the dead host's volume, attached under its name
        try (AccessLogTailer t = web3.tailer()) {
            web3.drain(t);
        }
        Map<String, Long> all = new TreeMap<>(web2.requestsByKey());
        web3.requestsByKey().forEach((k, v) -> all.merge(k, v, Long::sum));
        assertEquals(Map.of("web-2/200", 2L, "web-2/404", 1L, "web-2/503", 1L, "web-3/200", 1L), all,
                "every line of web-2 once, under web-2");
    }

    @Test
    void anOffsetStoredBeforeIdentitiesWereQualifiedIsContinued() throws Exception {
        TailerFixture before = new TailerFixture(dir);
        Path log = dir.resolve("access.log");
        before.append(log, at(0, 1, 200) + at(0, 2, 200));
        try (AccessLogTailer t = before.tailer()) {
            before.drain(t);
        }
        String unqualified = before.offsets.keySet().iterator().next();
        assertTrue(!unqualified.contains("@"));
        before.append(log, at(0, 3, 404));
        TailerFixture after = new TailerFixture(dir);
        after.offsets.putAll(before.offsets);
        after.hostName = "web-1";
        try (AccessLogTailer t = after.tailer()) {
            after.drain(t);
        }
        assertEquals(Map.of("web-1/404", 1L), after.requestsByKey(), "only what was not read before the upgrade");
        assertTrue(after.offsets.containsKey(unqualified + "@web-1"));
    }

    @Test
    void aDirectoryLockedByAnotherReaderIsLeftAloneUntilTheLockIsReleased() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("shared"));
        TailerFixture first = new TailerFixture(dir);
        first.glob = logs.toAbsolutePath() + "/access.log*";
        first.fenceLockFile = ".logbunker.lock";
        first.hostName = "web-1";
        first.append(logs.resolve("access.log"), at(0, 1, 200));
        TailerFixture second = new TailerFixture(dir);
        second.glob = first.glob;
        second.fenceLockFile = first.fenceLockFile;
        second.hostName = "web-1";
        AccessLogTailer t1 = first.tailer();
        first.drain(t1);
        first.append(logs.resolve("access.log"), at(0, 2, 200));
        try (AccessLogTailer t2 = second.tailer()) {
            second.drain(t2);
            assertEquals(0, second.requests(), "another task of this JVM holds the directory");
            assertEquals(1, t2.stats().directoriesFenced());
            first.drain(t1);
            t1.close(); // the holder stops: its lock goes
            second.offsets.putAll(first.offsets);
            first.append(logs.resolve("access.log"), at(0, 3, 200));
            second.drain(t2);
            assertEquals(0, t2.stats().directoriesFenced());
        }
        assertEquals(2, first.requests());
        assertEquals(1, second.requests(), "the second reader continues where the first stopped");
        try (var files = Files.list(logs)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().equals(".logbunker.lock")).count());
        }
    }

    @Test
    void anotherProcessHoldingTheLockFencesTheDirectoryUntilItDies() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("volume"));
        Path holder = dir.resolve("Holder.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        c.lock();
                        System.out.println("locked");
                        System.out.flush();
                        Thread.sleep(600_000);
                    }
                }
                """);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process other = new ProcessBuilder(java, holder.toString(), logs.resolve(".logbunker.lock").toString()).redirectErrorStream(true).start();
        try {
            String first = new String(other.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
            assertEquals("locked", first, "the other process holds the lock");
            TailerFixture fx = new TailerFixture(dir);
            fx.glob = logs.toAbsolutePath() + "/access.log*";
            fx.fenceLockFile = ".logbunker.lock";
            fx.append(logs.resolve("access.log"), at(0, 1, 200) + at(0, 2, 404));
            try (AccessLogTailer t = fx.tailer()) {
                fx.drain(t);
                assertEquals(0, fx.requests(), "fenced by the other process");
                assertEquals(1, t.stats().directoriesFenced());
                other.destroyForcibly(); // a host that dies releases its lock with it
                assertTrue(other.waitFor(30, TimeUnit.SECONDS));
                fx.drain(t);
                assertEquals(0, t.stats().directoriesFenced());
            }
            assertEquals(2, fx.requests());
        } finally {
            other.destroyForcibly();
        }
    }
}
