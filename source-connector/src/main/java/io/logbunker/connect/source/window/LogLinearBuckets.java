package io.logbunker.connect.source.window;

/**
 * The bucket of a value in a log-linear histogram of relative accuracy {@code a}: with
 * {@code gamma = (1 + a) / (1 - a)}, bucket {@code i = ceil(ln(v) / ln(gamma))} holds the values in
 * {@code (gamma^(i-1), gamma^i]}, computed in IEEE double arithmetic from the value as the nearest double to its
 * decimal text. Values below the minimum value (and zero) go to {@link #ZERO_BUCKET}. Every value of bucket {@code i}
 * is within {@code a} of {@code 2 gamma^i / (1 + gamma)}. This is the contract documented for the sink and the
 * README; change nothing here without changing both.
 *
 * <p>The formula is monotonic in {@code v}, so it is evaluated once per bucket, at start, to find the smallest double
 * of each bucket; a value's bucket is then read from a table indexed by its exponent and top mantissa bits (cells
 * narrower than a bucket, so a cell holds at most one bucket boundary) and one comparison. Values beyond the table's
 * range take the formula itself.
 */
public final class LogLinearBuckets {
    public static final int ZERO_BUCKET = Integer.MIN_VALUE;
    /** The table covers values up to 2^MAX_EXPONENT (about 1.1e12); larger ones are computed. */
    private static final int MAX_EXPONENT = 40;

    /** Tables are built once per (accuracy, minimum value) and shared: every file and thread has aggregators. */
    private static final java.util.concurrent.ConcurrentHashMap<java.util.List<Double>, LogLinearBuckets> SHARED =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final double lnGamma;
    private final double minValue;
    private final int mantissaBits;
    private final int minExponent;
    /**
     * Per cell: the bucket of the cell's first value, and the bits of the first value of the next bucket (+inf: none in
     * the cell); positive doubles order as their bits, so the comparison is one subtraction, without a branch that
     * values on both sides of a boundary would mispredict.
     */
    private final int[] cellBucket;
    private final long[] cellBoundaryBits;

    /** The buckets of this accuracy and minimum value; immutable, so one instance serves every thread. */
    public static LogLinearBuckets of(double relativeAccuracy, double minValue) {
        return SHARED.computeIfAbsent(java.util.List.of(relativeAccuracy, minValue), k -> new LogLinearBuckets(relativeAccuracy, minValue));
    }

    public LogLinearBuckets(double relativeAccuracy, double minValue) {
        this.lnGamma = Math.log((1 + relativeAccuracy) / (1 - relativeAccuracy));
        this.minValue = minValue;
        // a cell spans at most 2^-bits of its value; a bucket spans gamma - 1 > 2a of its value
        this.mantissaBits = Math.max(1, (int) Math.ceil(-Math.log(relativeAccuracy) / Math.log(2)));
        this.minExponent = Math.getExponent(minValue);
        int cells = (MAX_EXPONENT - minExponent) << mantissaBits;
        this.cellBucket = new int[cells];
        this.cellBoundaryBits = new long[cells];
        for (int c = 0; c < cells; c++) {
            double first = cellStart(c);
            double next = cellStart(c + 1);
            int b = formula(first);
            cellBucket[c] = b;
            double boundary = Double.POSITIVE_INFINITY;
            if (formula(Math.nextDown(next)) != b) {
                boundary = firstOf(b + 1, first, next);
            }
            cellBoundaryBits[c] = Double.doubleToRawLongBits(boundary);
        }
    }

    private double cellStart(int c) {
        int exponent = minExponent + (c >>> mantissaBits);
        long mantissa = (long) (c & ((1 << mantissaBits) - 1)) << (52 - mantissaBits);
        return Double.longBitsToDouble((long) (exponent + 1023) << 52 | mantissa);
    }

    /** The smallest double in [from, to) whose formula bucket is at least {@code bucket}, by bisection on the bits. */
    private double firstOf(int bucket, double from, double to) {
        long lo = Double.doubleToRawLongBits(from);
        long hi = Double.doubleToRawLongBits(to);
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (formula(Double.longBitsToDouble(mid)) >= bucket) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return Double.longBitsToDouble(lo);
    }

    private int formula(double v) {
        return (int) Math.ceil(Math.log(v) / lnGamma);
    }

    public int bucketOf(double v) {
        if (v < minValue) {
            return ZERO_BUCKET;
        }
        long bits = Double.doubleToRawLongBits(v);
        int c = (int) ((bits >>> (52 - mantissaBits)) - ((long) (minExponent + 1023) << mantissaBits));
        if (c < 0 || c >= cellBucket.length) {
            return formula(v);
        }
        return cellBucket[c] + (int) ((cellBoundaryBits[c] - bits - 1) >>> 63); // + 1 from the boundary on
    }
}
