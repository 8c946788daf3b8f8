package io.logbunker.connect.source.format;

/**
 * Reads a numeric nginx variable in place. {@code -} (or an empty field) is "no value", never zero. nginx writes one
 * value per upstream server it tried, separated by {@code ", "}, and a {@code " : "} between the servers of an internal
 * redirect ({@code "0.012, 0.030 : 0.004"}); such a list counts as the sum of its values, the time (or bytes) the
 * request spent upstream in all, and a {@code -} inside it adds nothing (a list of only {@code -} is no value).
 *
 * <p>Seconds are summed in nanoseconds, so the result is the double nearest to the exact decimal sum, the same value
 * any other program gets from the text, for sums below 2^53 ns (104 days); above that the sum is rounded once more.
 */
public final class NumericValue {
    /** The field is not a number (or a list of numbers). */
    public static final double NOT_A_NUMBER = -1;
    /** The number is too large to be real (more than 9e9 seconds or 2^53 units). */
    public static final double OUT_OF_RANGE = -2;
    private static final long MAX_NANOS = 9_000_000_000L * 1_000_000_000L;
    private static final long MAX_WHOLE = 1L << 53;
    /** What one unit of the last of n fraction digits is in nanoseconds. */
    private static final long[] NANOS_PER_UNIT = {1_000_000_000L, 100_000_000L, 10_000_000L, 1_000_000L, 100_000L, 10_000L,
            1_000L, 100L, 10L, 1L};

    private NumericValue() {
    }

    /** The value of {@code field}: NaN for none, else a non-negative number, {@link #NOT_A_NUMBER} or {@link #OUT_OF_RANGE}. */
    public static double read(ParsedLine line, int field, boolean decimal) {
        return read(line.buf, line.start[field], line.end[field], decimal);
    }

    public static double read(byte[] b, int p, int end, boolean decimal) {
        // first the form nginx writes its times in, whole seconds and milliseconds ("0.045"): this method stays under
        // C2's 325-bytecode limit for inlining hot calls (the general path alone is over it); any other text goes there
        int dot = end - 4;
        if (decimal && dot > p && dot - p <= 9 && b[dot] == '.') {
            int d1 = b[dot + 1] - '0';
            int d2 = b[dot + 2] - '0';
            int d3 = b[dot + 3] - '0';
            if ((d1 | d2 | d3 | 9 - d1 | 9 - d2 | 9 - d3) >= 0) {
                long whole = 0;
                int q = p;
                for (int d; q < dot && (d = b[q] - '0') >= 0 && d <= 9; q++) {
                    whole = whole * 10 + d;
                }
                if (q == dot) {
                    return (whole * 1_000_000_000L + (d1 * 100 + d2 * 10 + d3) * 1_000_000L) / 1e9;
                }
            }
        }
        return readAny(b, p, end, decimal);
    }

    /** Any field: a number, a list of numbers and dashes, or something else. */
    static double readAny(byte[] b, int p, int end, boolean decimal) {
        long total = 0;
        boolean any = false;
        while (true) {
            if (p >= end) {
                return NOT_A_NUMBER; // empty field, or a separator at the end
            }
            if (b[p] == '-') {
                p++;
            } else {
                long whole = 0;
                int digits = 0;
                while (p < end && b[p] >= '0' && b[p] <= '9') {
                    if (++digits > 18) {
                        return OUT_OF_RANGE;
                    }
                    whole = whole * 10 + (b[p++] - '0');
                }
                if (digits == 0) {
                    return NOT_A_NUMBER;
                }
                long v;
                if (decimal) {
                    long frac = 0;
                    int fracDigits = 0;
                    if (p < end && b[p] == '.') {
                        p++;
                        while (p < end && b[p] >= '0' && b[p] <= '9') {
                            if (++fracDigits > 9) {
                                return NOT_A_NUMBER;
                            }
                            frac = frac * 10 + (b[p++] - '0');
                        }
                        if (fracDigits == 0) {
                            return NOT_A_NUMBER;
                        }
                    }
                    frac *= NANOS_PER_UNIT[fracDigits];
                    if (whole > 9_000_000_000L) {
                        return OUT_OF_RANGE;
                    }
                    v = whole * 1_000_000_000L + frac;
                } else {
                    v = whole;
                }
                total += v;
                if (total > (decimal ? MAX_NANOS : MAX_WHOLE)) {
                    return OUT_OF_RANGE;
                }
                any = true;
            }
            if (p == end) {
                break;
            }
            // a separator: optional spaces, ',' or ':', optional spaces
            while (p < end && b[p] == ' ') {
                p++;
            }
            if (p >= end || (b[p] != ',' && b[p] != ':')) {
                return NOT_A_NUMBER;
            }
            p++;
            while (p < end && b[p] == ' ') {
                p++;
            }
        }
        if (!any) {
            return Double.NaN;
        }
        return decimal ? total / 1e9 : (double) total;
    }
}
