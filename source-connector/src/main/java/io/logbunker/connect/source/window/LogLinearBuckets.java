package io.logbunker.connect.source.window;

/**
 * The bucket of a value in a log-linear histogram of relative accuracy {@code a}: with
 * {@code gamma = (1 + a) / (1 - a)}, bucket {@code i = ceil(ln(v) / ln(gamma))} holds the values in
 * {@code (gamma^(i-1), gamma^i]}, computed in IEEE double arithmetic from the value as the nearest double to its
 * decimal text. Values below the minimum value (and zero) go to {@link #ZERO_BUCKET}. Every value of bucket {@code i}
 * is within {@code a} of {@code 2 gamma^i / (1 + gamma)}. This is the contract documented for the sink and the
 * README; change nothing here without changing both.
 *
 * <p>Latencies repeat (nginx writes milliseconds), so the last buckets computed are remembered by the value's bits:
 * a hit costs a compare instead of a logarithm.
 */
public final class LogLinearBuckets {
    public static final int ZERO_BUCKET = Integer.MIN_VALUE;
    private static final int CACHE = 4096;

    private final double lnGamma;
    private final double minValue;
    private final long[] cachedBits = new long[CACHE];
    private final int[] cachedBucket = new int[CACHE];

    public LogLinearBuckets(double relativeAccuracy, double minValue) {
        this.lnGamma = Math.log((1 + relativeAccuracy) / (1 - relativeAccuracy));
        this.minValue = minValue;
        java.util.Arrays.fill(cachedBits, -1L); // no value has these bits (a NaN)
    }

    public int bucketOf(double v) {
        if (v < minValue) {
            return ZERO_BUCKET;
        }
        long bits = Double.doubleToRawLongBits(v);
        int slot = (int) (bits ^ (bits >>> 29) ^ (bits >>> 41)) & (CACHE - 1);
        if (cachedBits[slot] == bits) {
            return cachedBucket[slot];
        }
        int b = (int) Math.ceil(Math.log(v) / lnGamma);
        cachedBits[slot] = bits;
        cachedBucket[slot] = b;
        return b;
    }
}
