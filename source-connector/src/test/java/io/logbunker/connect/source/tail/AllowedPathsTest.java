package io.logbunker.connect.source.tail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllowedPathsTest {
    @TempDir
    Path dir;

    @Test
    void unsetAllowsNothingAndSaysWhatTheOperatorSets() {
        AllowedPaths none = AllowedPaths.parse("", AllowedPaths.ENV);
        String refused = none.checkPattern("/var/log/nginx/access.log*", Path.of("/var/log/nginx"));
        assertTrue(refused.contains("LOGBUNKER_ALLOWED_PATHS=/var/log/nginx"), refused);
        assertTrue(refused.contains("-Dlogbunker.allowed.paths"), refused);
    }

    @Test
    void aPatternIsAllowedOnlyBelowAnAllowedDirectoryAfterDotDotAndLinksAreResolved() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        AllowedPaths allowed = AllowedPaths.parse(" " + logs + " ,", "test");
        assertNull(allowed.checkPattern(logs + "/access.log*", logs));
        assertNull(allowed.checkPattern(logs + "/not-yet/*.log", logs.resolve("not-yet")), "a directory that does not exist yet");
        String up = allowed.checkPattern(logs + "/../secrets/*", logs.resolve("../secrets"));
        assertTrue(up != null && up.contains(secrets.toString()) && up.contains("outside"), up);
        Path link = Files.createSymbolicLink(logs.resolve("link"), secrets);
        String viaLink = allowed.checkPattern(link + "/*", link);
        assertTrue(viaLink != null && viaLink.contains(secrets.toString()), viaLink);
        assertFalse(allowed.allows(Path.of(logs + "-other")), "a sibling whose name starts the same is not inside");
    }

    @Test
    void rootAllowsEverythingAndARelativeEntryIsAnError() {
        assertNull(AllowedPaths.parse("/", "test").checkPattern("/etc/*", Path.of("/etc")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AllowedPaths.parse("var/log", "test"));
        assertTrue(e.getMessage().contains("not an absolute directory"), e.getMessage());
    }

    @Test
    void aLinkCreatedLaterInsideAnAllowedDirectoryThatPointsOutsideIsRefusedAndCounted() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        TailerFixture fx = new TailerFixture(logs);
        fx.allowedPaths = AllowedPaths.parse(logs.toString(), "test");
        fx.appendLines(logs.resolve("access.log"), 0, 10);
        Path secret = outside.resolve("secret.log");
        fx.appendLines(secret, 100, 150);
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
            Files.createSymbolicLink(logs.resolve("access.log.1"), secret);
            Files.createSymbolicLink(logs.resolve("access.log.2"), logs.resolve("access.log")); // inside: fine, same file
            fx.time.sleep(50);
            fx.drain(t);
            fx.drain(t);
            assertEquals(1, t.stats().filesRefused());
            assertEquals(1, t.stats().filesTracked());
        }
        assertEquals(10, fx.requests(), "nothing of the file outside was read");
    }
}
