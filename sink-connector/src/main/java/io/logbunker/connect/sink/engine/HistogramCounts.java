package io.logbunker.connect.sink.engine;

import java.util.Arrays;
import java.util.Map;

/**
 * The value of one histogram column: the non-empty buckets in ascending order and their counts. Two values merge
 * by adding the counts of equal buckets, the same rule the SQL of every dialect applies; the column holds the
 * value as the JSON text {@link #toJson()} writes (see {@link HistogramBuckets}).
 */
public final class HistogramCounts {
    private final int[] buckets;
    private final long[] counts;

    private HistogramCounts(int[] buckets, long[] counts) {
        this.buckets = buckets;
        this.counts = counts;
    }

    /**
     * The counts of a record's bucket map, or null when it has no non-empty bucket (NULL never erases a stored value).
     *
     * @throws RecordMappingException when a bucket or count is null or a count is negative
     */
    public static HistogramCounts of(String field, Map<?, ?> map) {
        if (map == null || map.isEmpty()) {
            return null;
        }
        int[] b = new int[map.size()];
        int n = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new RecordMappingException("histogram field '" + field + "' has a null bucket or count");
            }
            long count = (Long) e.getValue();
            if (count < 0) {
                throw new RecordMappingException("histogram field '" + field + "' has a negative count in bucket " + e.getKey());
            }
            if (count > 0) {
                b[n++] = (Integer) e.getKey();
            }
        }
        if (n == 0) {
            return null;
        }
        b = Arrays.copyOf(b, n);
        Arrays.sort(b);
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            c[i] = (Long) map.get(b[i]);
        }
        return new HistogramCounts(b, c);
    }

    /** The bucket-wise sum of this and {@code other}. */
    public HistogramCounts plus(HistogramCounts other) {
        int[] b = new int[buckets.length + other.buckets.length];
        long[] c = new long[b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < buckets.length || j < other.buckets.length) {
            if (j == other.buckets.length || (i < buckets.length && buckets[i] < other.buckets[j])) {
                b[n] = buckets[i];
                c[n++] = counts[i++];
            } else if (i == buckets.length || other.buckets[j] < buckets[i]) {
                b[n] = other.buckets[j];
                c[n++] = other.counts[j++];
            } else {
                b[n] = buckets[i];
                c[n++] = Math.addExact(counts[i++], other.counts[j++]);
            }
        }
        return new HistogramCounts(Arrays.copyOf(b, n), Arrays.copyOf(c, n));
    }

    public int size() {
        return buckets.length;
    }

    public int bucket(int i) {
        return buckets[i];
    }

    public long count(int i) {
        return counts[i];
    }

    /** {@code [[bucket,count],...]} in ascending bucket order. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(buckets.length * 16 + 2).append('[');
        for (int i = 0; i < buckets.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('[').append(buckets[i]).append(',').append(counts[i]).append(']');
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistogramCounts h && Arrays.equals(h.buckets, buckets) && Arrays.equals(h.counts, counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(buckets) * 31 + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
