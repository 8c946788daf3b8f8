package io.logbunker.connect.source.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineParserTest {
    private static final String WITH_RT = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\" $request_time";

    private final LineParser combined = new LineParser(LogFormat.compile("combined"));

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private ParsedLine parse(LineParser p, String line) {
        ParsedLine out = p.newParsedLine();
        byte[] bytes = b(line);
        String reason = p.parse(bytes, 0, bytes.length, out);
        assertNull(reason, () -> "expected a match for " + line + " but: " + reason);
        return out;
    }

    private String reject(LineParser p, String line) {
        ParsedLine out = p.newParsedLine();
        byte[] bytes = b(line);
        String reason = p.parse(bytes, 0, bytes.length, out);
        assertNotNull(reason, () -> "expected a rejection for " + line);
        return reason;
    }

    private static String field(LineParser p, ParsedLine l, String name) {
        return l.text(p.format().indexOf(name));
    }

    @Test
    void presetsAreWhatNginxDefines() {
        assertEquals(List.of("remote_addr", "remote_user", "time_local", "request", "status", "body_bytes_sent",
                "http_referer", "http_user_agent", "http_x_forwarded_for"), LogFormat.compile("main").fieldNames());
        assertEquals(6, LogFormat.compile("common").fieldNames().size());
    }

    @Test
    void splitsAnOrdinaryTrackingLine() {
        LineParser p = new LineParser(LogFormat.compile(WITH_RT));
        ParsedLine l = parse(p, "10.0.0.1 - - [22/Nov/2026:10:00:01 +0000] \"GET /t?ev=click&ad=42 HTTP/1.1\" 200 43 \"-\" "
                + "\"Mozilla/5.0 (X11)\" 0.002");
        assertEquals("10.0.0.1", field(p, l, "remote_addr"));
        assertEquals("GET /t?ev=click&ad=42 HTTP/1.1", field(p, l, "request"));
        assertEquals("200", field(p, l, "status"));
        assertEquals("0.002", field(p, l, "request_time"));
        LineFields f = new LineFields(p.format());
        assertEquals(Instant.parse("2026-11-22T10:00:01Z").toEpochMilli(), f.eventTime(l));
        assertEquals(43, f.bytesSent(l));
        assertEquals(0.002, NumericValue.read(l, p.format().indexOf("request_time"), true));
    }

    @Test
    void apacheBackslashQuoteInsideQuotedField() {
        ParsedLine l = parse(combined, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 5 \"-\" "
                + "\"Agent \\\"quoted\\\" \\\\ end\"");
        assertEquals("Agent \\\"quoted\\\" \\\\ end", field(combined, l, "http_user_agent"));
    }

    @Test
    void nginxHexEscapesAndTlsHandshakeBytes() {
        ParsedLine l = parse(combined, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"\\x16\\x03\\x01\\x00\\xA5\\x01\" 400 157 \"-\" \"-\"");
        assertEquals("\\x16\\x03\\x01\\x00\\xA5\\x01", field(combined, l, "request"));
        assertEquals("400", field(combined, l, "status"));
    }

    @Test
    void dashRequestAndDashBytes() {
        ParsedLine l = parse(combined, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"-\" 408 - \"-\" \"-\"");
        LineFields f = new LineFields(combined.format());
        assertEquals(0, f.bytesSent(l));
        assertTrue(l.isEmpty(combined.format().indexOf("request")));
    }

    @Test
    void ipv6ClientAndRequestWithoutProtocol() {
        ParsedLine l = parse(combined, "2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /index.html\" 200 1 \"-\" \"-\"");
        assertEquals("2001:db8::1", field(combined, l, "remote_addr"));
        assertEquals("frank", field(combined, l, "remote_user"));
        KeyBuffer key = new KeyBuffer();
        LineFields f = new LineFields(combined.format());
        f.dimension("request_uri").append(l, key);
        assertEquals("/index.html", lastValue(key));
    }

    @Test
    void rawNonUtf8BytesAreKept() {
        byte[] line = b("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /caf\u00e9\u00ff HTTP/1.1\" 200 1 \"-\" \"\u00fe\u00fd\"");
        ParsedLine out = combined.newParsedLine();
        assertNull(combined.parse(line, 0, line.length, out));
        int ua = combined.format().indexOf("http_user_agent");
        assertEquals(2, out.length(ua));
        assertEquals((byte) 0xfe, out.buffer()[out.start(ua)]);
    }

    @Test
    void longLinesParse() {
        String uri = "/x?" + "a".repeat(9000);
        ParsedLine l = parse(combined, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET " + uri + " HTTP/1.1\" 200 1 \"-\" \"-\"");
        assertEquals("GET ".length() + uri.length() + " HTTP/1.1".length(), l.length(combined.format().indexOf("request")));
    }

    @Test
    void unterminatedFinalQuoteIsAccepted() {
        ParsedLine l = parse(combined, "46.118.127.106 - - [20/May/2015:12:05:17 +0000] \"GET /x HTTP/1.1\" 200 235 \"-\" "
                + "\"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html");
        assertTrue(field(combined, l, "http_user_agent").endsWith("bot.html"));
    }

    @Test
    void carriageReturnIsIgnored() {
        parse(combined, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\r");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "garbage",
        "1.2.3.4 - - 10/Oct/2000:13:55:36 -0700 \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
        "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" trailing",
        "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200",
    })
    void nonMatchingLinesAreRejectedWithAReason(String line) {
        assertTrue(reject(combined, line).length() > 5);
    }

    @Test
    void formatErrorsSayWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LogFormat.compile("$a$b")).getMessage()
                .contains("nothing between them"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LogFormat.compile("no variables")).getMessage()
                .contains("neither a preset"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LineFields(LogFormat.compile("$remote_addr $status")))
                .getMessage().contains("no time variable"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LogFormat.compile("${status")).getMessage()
                .contains("unclosed"));
    }

    @Test
    void derivedDimensions() {
        ParsedLine l = parse(combined, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /t?ev=cl%69ck&ad=42&q=a+b HTTP/1.1\" 204 0 \"-\" \"-\"");
        LineFields f = new LineFields(combined.format());
        assertEquals("GET", value(f, l, "request_method"));
        assertEquals("/t?ev=cl%69ck&ad=42&q=a+b", value(f, l, "request_uri"));
        assertEquals("/t", value(f, l, "uri"));
        assertEquals("ev=cl%69ck&ad=42&q=a+b", value(f, l, "args"));
        assertEquals("click", value(f, l, "arg_ev"));
        assertEquals("42", value(f, l, "arg_ad"));
        assertEquals("a b", value(f, l, "arg_q"));
        assertEquals("-", value(f, l, "arg_missing"));
        assertEquals("HTTP/1.1", value(f, l, "server_protocol"));
        assertEquals("2xx", value(f, l, "status_class"));
        assertEquals("-", value(f, l, "http_referer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> f.dimension("nope")).getMessage().contains("nope"));
    }

    /** A quote closes a quoted field unless an odd run of backslashes precedes it (the search looks for quotes only). */
    @Test
    void backslashRunsBeforeAQuoteDecideWhetherItCloses() {
        String head = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" ";
        assertEquals("a\\\\", field(combined, parse(combined, head + "\"a\\\\\""), "http_user_agent")); // a\\ then the closing quote
        assertEquals("a\\\"b", field(combined, parse(combined, head + "\"a\\\"b\""), "http_user_agent")); // a\" is escaped
        assertEquals("a\\\\\\\"b", field(combined, parse(combined, head + "\"a\\\\\\\"b\""), "http_user_agent")); // three: escaped
        LineParser withRt = new LineParser(LogFormat.compile(WITH_RT));
        // an escaped quote followed by the closing literal's next byte is not the end of the field
        ParsedLine l = parse(withRt, head + "\"ua \\\" x\" 0.5");
        assertEquals("ua \\\" x", field(withRt, l, "http_user_agent"));
        assertEquals("0.5", field(withRt, l, "request_time"));
    }

    /** Literals are compared as masked words when 8 bytes can be read; at the very end of the buffer, byte by byte. */
    @Test
    void literalsMatchAtTheEndOfTheBuffer() {
        LineParser p = new LineParser(LogFormat.compile("$status [$time_local] \"$request\" end!"));
        ParsedLine l = parse(p, "200 [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" end!");
        assertEquals("GET / HTTP/1.1", field(p, l, "request"));
        reject(p, "200 [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" end?");
        reject(p, "200 [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" en");
    }

    /** All arguments of one field come from one scan per line; the first occurrence of a name wins. */
    @Test
    void queryArgumentsShareOneScanPerLine() {
        LineFields f = new LineFields(combined.format());
        LineFields.Dimension ev = f.dimension("arg_ev");
        LineFields.Dimension ad = f.dimension("arg_ad");
        LineFields.Dimension flag = f.dimension("arg_flag");
        ParsedLine l = combined.newParsedLine();
        String[][] cases = {
            {"/t?ev=click&ad=42", "click", "42", "-"},
            {"/t?ad=7&ev=view&ev=click", "view", "7", "-"},
            {"/t?flag&ev=&ad=1;ev=x", "-", "1", "-"},
            {"/t", "-", "-", "-"},
            {"/t?e=1&evx=2&ad=%41%2", "-", "A%2", "-"},
            {"/t?ev=a%00b%0a&ad=%2500", "a%00b\n", "%00", "-"}, // no NUL in a key: PostgreSQL's text refuses it
        };
        for (String[] c : cases) {
            byte[] bytes = b("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET " + c[0] + " HTTP/1.1\" 200 5 \"-\" \"-\"");
            assertNull(combined.parse(bytes, 0, bytes.length, l));
            KeyBuffer key = new KeyBuffer();
            ev.append(l, key);
            assertEquals(c[1], lastValue(key), c[0]);
            key.clear();
            ad.append(l, key);
            assertEquals(c[2], lastValue(key), c[0]);
            key.clear();
            flag.append(l, key);
            assertEquals(c[3], lastValue(key), c[0]);
        }
    }

    @Test
    void wordHashDependsOnlyOnTheKeyBytesAndTheWindow() {
        byte[] a = b("\0\0\0\u0003200\0\0\0\u0005click-and-more");
        byte[] c = java.util.Arrays.copyOf(a, 64);
        java.util.Arrays.fill(c, a.length, 64, (byte) 7); // bytes beyond the key must not matter
        for (int len = 1; len <= a.length; len++) {
            assertEquals(Bytes.hash(a, len, 60_000L), Bytes.hash(c, len, 60_000L), "len " + len);
        }
        assertTrue(Bytes.hash(a, a.length, 60_000L) != Bytes.hash(a, a.length, 120_000L));
        assertTrue(Bytes.hash(a, a.length - 1, 0) != Bytes.hash(a, a.length, 0));
    }

    @Test
    void aMillionGroupKeysOfMixedLengthsGetAMillionDistinctHashes() {
        // 32 bits would give about 116 shared pairs here (the birthday bound); each one is a lookup whose key
        // compare fails after the hashes matched, a path the compiled hot loop has not seen
        int n = 1_000_000;
        long[] hashes = new long[n];
        byte[] key = new byte[32];
        for (int i = 0; i < n; i++) {
            byte[] digits = Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int len = 4 + (i % 3) * 8 + digits.length;
            java.util.Arrays.fill(key, (byte) 'k');
            System.arraycopy(digits, 0, key, len - digits.length, digits.length);
            hashes[i] = Bytes.hash(key, len, 1_700_000_000_000L);
        }
        java.util.Arrays.sort(hashes);
        int shared = 0;
        for (int i = 1; i < n; i++) {
            if (hashes[i] == hashes[i - 1]) {
                shared++;
            }
        }
        assertEquals(0, shared);
    }

    private static String value(LineFields f, ParsedLine l, String dim) {
        KeyBuffer key = new KeyBuffer();
        f.dimension(dim).append(l, key);
        return lastValue(key);
    }

    private static String lastValue(KeyBuffer key) {
        byte[] k = key.bytes();
        int len = (k[0] & 0xff) << 24 | (k[1] & 0xff) << 16 | (k[2] & 0xff) << 8 | (k[3] & 0xff);
        return new String(k, 4, len, StandardCharsets.UTF_8);
    }
}
