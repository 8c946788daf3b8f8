package io.logbunker.connect.source.format;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EventTimeTest {
    private static long local(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return EventTime.parseTimeLocal(b, 0, b.length);
    }

    private static long iso(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return EventTime.parseIso8601(b, 0, b.length);
    }

    private static long msec(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return EventTime.parseMsec(b, 0, b.length);
    }

    @Test
    void timeLocalAgreesWithJavaTimeOverManyRandomInstants() {
        DateTimeFormatter nginx = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            long epochSec = (long) (r.nextDouble() * 4_000_000_000L);
            int offsetMin = (r.nextInt(27 * 4) - 12 * 4) * 15;
            OffsetDateTime t = OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(epochSec), ZoneOffset.ofTotalSeconds(offsetMin * 60));
            assertEquals(epochSec * 1000, local(nginx.format(t)), nginx.format(t));
            assertEquals(epochSec * 1000, iso(t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replace("Z", "+00:00")));
        }
    }

    @Test
    void formsAndRejections() {
        assertEquals(1700000000123L, msec("1700000000.123"));
        assertEquals(1700000000000L, msec("1700000000"));
        assertEquals(EventTime.INVALID, msec("17x"));
        assertEquals(0L, iso("1970-01-01T00:00:00Z"));
        assertEquals(500L, iso("1970-01-01T00:00:00.5+00:00"));
        assertEquals(EventTime.INVALID, local("10/Foo/2000:13:55:36 -0700"));
        assertEquals(EventTime.INVALID, local("10/Oct/2000:13:55:36"));
        assertEquals(EventTime.INVALID, local("1O/Oct/2000:13:55:36 -0700"));
        assertEquals(EventTime.INVALID, iso("2000-13-10T13:55:36-07:00"));
    }

    @Test
    void daysThatTheirMonthDoesNotHaveAreRejectedNotMovedIntoTheNextMonth() {
        assertEquals(EventTime.INVALID, local("31/Feb/2026:10:00:00 +0000"));
        assertEquals(EventTime.INVALID, local("29/Feb/2026:10:00:00 +0000"));
        assertEquals(EventTime.INVALID, local("29/Feb/1900:10:00:00 +0000"));
        assertEquals(EventTime.INVALID, local("31/Apr/2026:10:00:00 +0000"));
        assertEquals(EventTime.INVALID, local("31/Nov/2026:10:00:00 +0000"));
        assertEquals(EventTime.INVALID, iso("2026-02-30T10:00:00+00:00"));
        assertEquals(OffsetDateTime.parse("2024-02-29T10:00:00Z").toInstant().toEpochMilli(), local("29/Feb/2024:10:00:00 +0000"));
        assertEquals(OffsetDateTime.parse("2000-02-29T10:00:00Z").toInstant().toEpochMilli(), local("29/Feb/2000:10:00:00 +0000"));
        assertEquals(OffsetDateTime.parse("2026-12-31T23:59:59Z").toInstant().toEpochMilli(), local("31/Dec/2026:23:59:59 +0000"));
    }
}
