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
}
