package io.logbunker.connect.source.window;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-line rule on hostile values: each rejected line gets a reason that names what is wrong with it. */
class LineFolderTest {
    private final LineFolder folder = new LineFolder("combined", List.of("status"));

    private String parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        return folder.parse(b, 0, b.length);
    }

    private static String line(String time, String status, String bytes) {
        return "1.2.3.4 - - [" + time + "] \"GET / HTTP/1.1\" " + status + " " + bytes + " \"-\" \"UA\"";
    }

    @Test
    void aWellFormedLineParses() {
        assertNull(parse(line("22/Nov/2026:10:00:00 +0000", "200", "512")));
        assertNull(parse(line("22/Nov/2026:10:00:00 +0000", "499", "-")));
        assertNull(parse(line("22/Nov/2026:10:00:00 +0000", "200", "999999999999999999")));
    }

    @Test
    void emptyLinesSayThatTheyAreEmpty() {
        assertEquals("empty line", parse(""));
        assertEquals("empty line", parse("\r"));
    }

    @Test
    void aStatusThatIsNotThreeDigitsIsRejectedRatherThanCountedAsItsOwnGroup() {
        for (String status : List.of("0200", "20", "2000", "2x0", "-")) {
            assertEquals("$status is not a three-digit HTTP status", parse(line("22/Nov/2026:10:00:00 +0000", status, "1")), status);
        }
    }

    @Test
    void aByteCountOfMoreThanEighteenDigitsIsOutOfRangeNotNotANumber() {
        assertEquals("the bytes-sent field is larger than 999999999999999999",
                parse(line("22/Nov/2026:10:00:00 +0000", "200", "1234567890123456789")));
        assertEquals("the bytes-sent field is larger than 999999999999999999",
                parse(line("22/Nov/2026:10:00:00 +0000", "200", "99999999999999999999999999")));
        assertEquals("the bytes-sent field is not a number", parse(line("22/Nov/2026:10:00:00 +0000", "200", "12a")));
    }

    @Test
    void anImpossibleDateIsRejected() {
        assertEquals("the time field is not a valid timestamp", parse(line("31/Feb/2026:10:00:00 +0000", "200", "1")));
    }

    @Test
    void aGroupWhoseByteSumWouldOverflowStopsInsteadOfWrappingAround() {
        WindowAggregator agg = new WindowAggregator(60_000, 0);
        String big = line("22/Nov/2026:10:00:00 +0000", "200", "999999999999999999");
        for (int i = 0; i < 9; i++) {
            assertNull(parse(big));
            folder.foldInto(agg);
        }
        assertNull(parse(big));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> folder.foldInto(agg));
        assertTrue(e.getMessage().contains("cannot be real"), e.getMessage());
    }
}
