package io.logbunker.connect.source.window;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The table lookup gives exactly the documented formula, at and around every bucket boundary and at random. */
class LogLinearBucketsTest {
    private static int formula(double v, double a, double min) {
        return v < min ? LogLinearBuckets.ZERO_BUCKET : (int) Math.ceil(Math.log(v) / Math.log((1 + a) / (1 - a)));
    }

    @ParameterizedTest
    @CsvSource({"0.01, 0.001", "0.05, 0.001", "0.001, 0.000001", "0.0001, 1", "0.3, 0.5"})
    void everyValueGetsTheFormulasBucket(double a, double min) {
        LogLinearBuckets b = new LogLinearBuckets(a, min);
        double gamma = (1 + a) / (1 - a);
        // around every boundary from the minimum to 1e13 (beyond the table too), a few ulps either side
        for (double boundary = min; boundary < 1e13; boundary *= gamma) {
            double v = boundary;
            for (int i = 0; i < 4; i++) {
                v = Math.nextDown(v);
            }
            for (int i = 0; i < 9; i++, v = Math.nextUp(v)) {
                assertEquals(formula(v, a, min), b.bucketOf(v), "v = " + v);
            }
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            double v = Math.exp(r.nextDouble(-16, 32));
            assertEquals(formula(v, a, min), b.bucketOf(v), "v = " + v);
            double ms = r.nextInt(20_000_000) / 1000.0; // nginx's milliseconds
            assertEquals(formula(ms, a, min), b.bucketOf(ms), "v = " + ms);
        }
        assertEquals(LogLinearBuckets.ZERO_BUCKET, b.bucketOf(0));
        assertEquals(formula(1e300, a, min), b.bucketOf(1e300));
    }
}
