package io.logbunker.connect.source.format;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NumericValueTest {
    private static double seconds(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return NumericValue.read(b, 0, b.length, true);
    }

    private static double whole(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return NumericValue.read(b, 0, b.length, false);
    }

    @Test
    void aTimeIsTheDoubleNearestToItsDecimalText() {
        for (String s : new String[] {"0.000", "0.001", "0.012", "1.234", "12.5", "3", "0.3", "9.999", "123456.789123456"}) {
            assertEquals(new BigDecimal(s).doubleValue(), seconds(s), s);
        }
    }

    @Test
    void upstreamListsAreTheExactSumOfTheirValuesAndADashAddsNothing() {
        assertEquals(new BigDecimal("0.046").doubleValue(), seconds("0.012, 0.030 : 0.004"));
        assertEquals(0.030, seconds("-, 0.030"));
        assertEquals(0.012, seconds("0.012 : -"));
        assertEquals(new BigDecimal("0.3").doubleValue(), seconds("0.1, 0.1, 0.1"), "summed as decimals, not as doubles");
        assertTrue(Double.isNaN(seconds("-")));
        assertTrue(Double.isNaN(seconds("- : -")));
        assertTrue(Double.isNaN(seconds("-, -, -")));
        assertEquals(579.0, whole("123, 456"));
        assertEquals(123.0, whole("123 : -"));
    }

    @Test
    void anythingElseIsNotANumberOrTooLarge() {
        for (String s : new String[] {"", "abc", "1.", ".5", "1.2.3", "0.012,", "0.012 ;0.1", "-1", "1e3", "0.0123456789", "0.012 0.1"}) {
            assertEquals(NumericValue.NOT_A_NUMBER, seconds(s), "'" + s + "'");
        }
        assertEquals(NumericValue.NOT_A_NUMBER, whole("12.5"), "a whole-number variable has no decimals");
        assertEquals(NumericValue.OUT_OF_RANGE, whole("9999999999999999999"));
        assertEquals(NumericValue.OUT_OF_RANGE, whole("9007199254740993"), "above 2^53 a double would round");
        assertEquals(NumericValue.OUT_OF_RANGE, seconds("9000000001.000"));
    }

    @Test
    void theShortPathForMillisecondsReadsWhatTheGeneralPathReads() {
        // fields near the short path's form: digits, '.', and the characters of lists and bad text, at every length
        // up to 14; the short path must answer as the general path does, and the form itself as its decimal value
        java.util.Random random = new java.util.Random(23);
        byte[] alphabet = "0123456789.....,: -x".getBytes(StandardCharsets.US_ASCII);
        int shortForm = 0;
        for (int i = 0; i < 300_000; i++) {
            byte[] b = new byte[2 + random.nextInt(13)];
            for (int j = 0; j < b.length; j++) {
                b[j] = alphabet[random.nextInt(random.nextBoolean() ? 10 : alphabet.length)];
            }
            if (random.nextInt(3) == 0) {
                b[b.length - 4 < 0 ? 0 : b.length - 4] = '.';
            }
            String text = new String(b, StandardCharsets.US_ASCII);
            int from = random.nextInt(2); // the field need not start at the buffer's start
            double got = NumericValue.read(b, from, b.length, true);
            assertEquals(NumericValue.readAny(b, from, b.length, true), got, "'" + text.substring(from) + "'");
            if (text.substring(from).matches("[0-9]{1,9}\\.[0-9]{3}")) {
                shortForm++;
                if (text.substring(from).matches("0*[0-9]{1,6}\\.[0-9]{3}")) { // below 2^53 ns, where the sum is exact
                    assertEquals(new BigDecimal(text.substring(from)).doubleValue(), got, text);
                }
            }
        }
        assertTrue(shortForm > 10_000, shortForm + " fields of the short form");
        assertEquals(NumericValue.OUT_OF_RANGE, seconds("9000000001.000"), "ten whole digits take the general path");
        byte[] nine = "999999999.999".getBytes(StandardCharsets.US_ASCII);
        assertEquals(NumericValue.readAny(nine, 0, nine.length, true), seconds("999999999.999"));
    }
}
