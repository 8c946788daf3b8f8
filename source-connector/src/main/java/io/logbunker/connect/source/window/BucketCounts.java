package io.logbunker.connect.source.window;

import java.util.Map;

/**
 * The histograms of one metric for every open group, as counts per (group index, bucket).
 *
 * <p>At high cardinality nearly every value is a (group, bucket) of its own, so a hash table of them is as large as
 * the lines of a window and every count would be a cache miss. Values are therefore appended to a buffer (sequential
 * writes), which is radix-sorted when full, collapsed into counts and merged into one sorted array of (group, bucket,
 * count): every step streams through memory. The arrays are kept across windows (the sort buffers are shared by the
 * aggregators of a thread), and a group's buckets end up contiguous, which is what emission wants.
 */
final class BucketCounts {
    private static final int MIN_BUFFER = 1 << 12;
    private static final int MAX_BUFFER = 1 << 18;
    private static final int BUCKET_BITS = 21;
    private static final int BUCKET_OFFSET = 1 << 20;
    private static final long[] NONE = new long[0];

    /**
     * Appended values as ints, half the memory traffic of longs: group << 12 | (bucket - zero bucket's part), for groups
     * below 2^20 and the 4,095 buckets above the minimum value (1 ms to 3e32 s at 1%); anything else goes to
     * {@link #wide} as a full key. Both grow on use up to MAX_BUFFER.
     */
    private int[] pending = new int[0];
    private int pendingSize;
    private long[] wide = NONE;
    private int wideSize;
    /** The merged counts, sorted by key (group, then bucket). */
    private long[] keys = NONE;
    private long[] counts = NONE;
    private int size;
    /** The other half of the double buffer the merges write into; kept across windows. */
    private long[] spareKeys = NONE;
    private long[] spareCounts = NONE;

    /** Buffers shared by the aggregators of one thread (only one of them works at a time). */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        long[] a = NONE;
        long[] b = NONE;
        int[] ints = new int[0];
        final int[] digits = new int[RadixSort.DIGITS];

        Scratch ensure(int n) {
            if (a.length < n) {
                a = new long[n];
                b = new long[n];
                ints = new int[n];
            }
            return this;
        }
    }

    /** The zero bucket sorts just below the smallest real bucket, so a buffer's keys span few bucket bits. */
    private final int zeroPart;

    /** @param smallestBucket the bucket of the histogram's minimum value */
    BucketCounts(int smallestBucket) {
        this.zeroPart = smallestBucket - 1 + BUCKET_OFFSET;
    }

    /** Buckets are below 2^20 in magnitude for any accuracy and value range the settings allow. */
    long key(int group, int bucket) {
        return (long) group << BUCKET_BITS | (bucket == LogLinearBuckets.ZERO_BUCKET ? zeroPart : bucket + BUCKET_OFFSET);
    }

    static int group(long key) {
        return (int) (key >>> BUCKET_BITS);
    }

    int bucket(long key) {
        int part = (int) (key & ((1 << BUCKET_BITS) - 1));
        return part == zeroPart ? LogLinearBuckets.ZERO_BUCKET : part - BUCKET_OFFSET;
    }

    /** Counts one value of group {@code g} in bucket {@code b}. */
    void add(int g, int b) {
        // the common case in a few instructions, so that it inlines into the per-line fold; the rest out of line
        int offset = b - zeroPart + BUCKET_OFFSET; // the zero bucket (Integer.MIN_VALUE) wraps to a large offset
        int n = pendingSize;
        if (n == pending.length || (g >>> 20 | offset >>> 12) != 0) {
            addSlow(g, b);
            return;
        }
        pending[n] = g << 12 | offset;
        pendingSize = n + 1;
    }

    private void addSlow(int g, int b) {
        int offset = (b == LogLinearBuckets.ZERO_BUCKET ? zeroPart : b + BUCKET_OFFSET) - zeroPart;
        if ((g >>> 20 | offset >>> 12) != 0) {
            addWide(key(g, b));
            return;
        }
        if (pendingSize == pending.length) {
            if (pending.length < MAX_BUFFER) { // an idle file's aggregator stays small, a busy one's sorts less often
                pending = java.util.Arrays.copyOf(pending, Math.max(MIN_BUFFER, pending.length * 2));
            } else {
                compact();
            }
        }
        pending[pendingSize++] = g << 12 | offset;
    }

    private void addWide(long key) {
        if (wideSize == wide.length) {
            if (wide.length < MAX_BUFFER) {
                wide = java.util.Arrays.copyOf(wide, Math.max(64, wide.length * 2));
            } else {
                compact();
            }
        }
        wide[wideSize++] = key;
    }

    /** Adds every count of {@code other}, with its group indexes mapped through {@code into}; empties {@code other}. */
    void addAll(BucketCounts other, int[] into) {
        other.compact();
        int n = other.size;
        long[] k = new long[n];
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            long key = other.keys[i];
            k[i] = key(into[group(key)], other.bucket(key));
            c[i] = other.counts[i];
        }
        other.clear();
        compact();
        // the mapping keeps buckets in order within a group but reorders groups: sort by the new keys
        Scratch scratch = SCRATCH.get().ensure(n);
        RadixSort.longs(k, c, n, scratch.b, scratch.digits);
        merge(k, c, n);
    }

    /**
     * Moves the counts of the groups with {@code into[g] >= 0} to {@code target} as group {@code into[g]} and keeps the
     * others here. {@code into} must number the moved groups in ascending order of their old index (it keeps the
     * sorted order); {@code target} must be empty and of the same histogram.
     */
    void moveGroups(int[] into, BucketCounts target) {
        compact();
        long[] k = new long[size];
        long[] c = new long[size];
        int moved = 0;
        int stay = 0;
        for (int i = 0; i < size; i++) {
            long key = keys[i];
            int t = into[group(key)];
            if (t >= 0) {
                k[moved] = target.key(t, bucket(key));
                c[moved++] = counts[i];
            } else {
                keys[stay] = key;
                counts[stay++] = counts[i];
            }
        }
        size = stay;
        target.keys = k;
        target.counts = c;
        target.size = moved;
    }

    /**
     * The histogram of every group below {@code groups} (null for a group without values), and empties this: one small
     * read-only map per group over the sorted arrays, which are handed over to them.
     */
    Map<Integer, Long>[] byGroup(int groups) {
        compact();
        @SuppressWarnings("unchecked")
        Map<Integer, Long>[] out = new Map[groups];
        long[] k = keys;
        long[] c = counts;
        int i = 0;
        while (i < size) {
            int g = group(k[i]);
            int j = i;
            while (j < size && group(k[j]) == g) {
                j++;
            }
            out[g] = new GroupHistogram(this, k, c, i, j);
            i = j;
        }
        keys = NONE;
        counts = NONE;
        clear();
        return out;
    }

    void clear() {
        pendingSize = 0;
        wideSize = 0;
        size = 0;
    }

    /**
     * Sorts the appended values, collapses equal ones into counts and merges them into the sorted counts. The sort key
     * packs the group above only the bucket bits this buffer uses, so the radix sort makes two passes, not four; without
     * wide values (as usual) that key fits in an int and the sort moves ints, half the memory traffic of longs.
     */
    private void compact() {
        int narrow = pendingSize;
        int n = narrow + wideSize;
        if (n == 0) {
            return;
        }
        pendingSize = 0;
        Scratch scratch = SCRATCH.get().ensure(n);
        int runs = wideSize == 0 ? sortNarrow(narrow, scratch) : sortAll(narrow, n, scratch);
        wideSize = 0;
        long[] sorted = scratch.a;
        long[] runCounts = scratch.b;
        if (size == 0) {
            keys = java.util.Arrays.copyOf(sorted, runs);
            counts = java.util.Arrays.copyOf(runCounts, runs);
            size = runs;
            return;
        }
        merge(sorted, runCounts, runs);
    }

    /**
     * The int buffer alone, sorted as unsigned ints of (group, bucket offset) packed into the bits they use (at most
     * 20 + 12), and collapsed into {@code scratch.a} (keys) and {@code scratch.b} (counts).
     *
     * @return the number of distinct keys
     */
    private int sortNarrow(int n, Scratch scratch) {
        int[] p = pending;
        int used = 0;
        for (int i = 0; i < n; i++) {
            used |= p[i];
        }
        int width = 32 - Integer.numberOfLeadingZeros(used & 0xfff);
        int bits = width + 32 - Integer.numberOfLeadingZeros(used >>> 12);
        int[] count = scratch.digits;
        java.util.Arrays.fill(count, 0);
        for (int i = 0; i < n; i++) { // repack in place, counting the first digit on the way
            int k = p[i];
            int packed = (k >>> 12) << width | (k & 0xfff);
            p[i] = packed;
            count[packed & RadixSort.DIGIT_MASK]++;
        }
        int[] sorted = RadixSort.ints(p, scratch.ints, n, bits, count);
        // collapse without a branch per key (runs of one to a few equal keys would mispredict): every key is written
        // to its run's slot, with its index, so a slot ends with its run's last index; the counts are the differences
        long[] outKeys = scratch.a;
        long[] outLast = scratch.b;
        int partMask = (1 << width) - 1;
        int run = 0;
        int previous = sorted[0];
        for (int i = 0; i < n; i++) {
            int key = sorted[i];
            run += key != previous ? 1 : 0;
            previous = key;
            outKeys[run] = (long) (key >>> width) << BUCKET_BITS | ((key & partMask) + zeroPart);
            outLast[run] = i;
        }
        int runs = run + 1;
        long before = -1;
        for (int r = 0; r < runs; r++) {
            long last = outLast[r];
            outLast[r] = last - before;
            before = last;
        }
        return runs;
    }

    /** Both buffers (wide values are rare), sorted as longs and collapsed into {@code scratch.a} and {@code scratch.b}. */
    private int sortAll(int narrow, int n, Scratch scratch) {
        long[] sorted = scratch.a;
        long bucketMask = (1L << BUCKET_BITS) - 1;
        long minPart = Long.MAX_VALUE;
        long maxPart = 0;
        for (int i = 0; i < narrow; i++) {
            long part = (pending[i] & 0xfff) + zeroPart;
            minPart = Math.min(minPart, part);
            maxPart = Math.max(maxPart, part);
        }
        for (int i = 0; i < wideSize; i++) {
            long part = wide[i] & bucketMask;
            minPart = Math.min(minPart, part);
            maxPart = Math.max(maxPart, part);
        }
        int width = 64 - Long.numberOfLeadingZeros(maxPart - minPart);
        for (int i = 0; i < narrow; i++) {
            int k = pending[i];
            sorted[i] = (long) (k >>> 12) << width | ((k & 0xfff) + zeroPart - minPart);
        }
        for (int i = 0; i < wideSize; i++) {
            long k = wide[i];
            sorted[narrow + i] = (k >>> BUCKET_BITS) << width | ((k & bucketMask) - minPart);
        }
        RadixSort.longs(sorted, null, n, scratch.b, scratch.digits);
        // collapse equal keys in place: sorted[0, runs) = keys, runCounts[0, runs) = their counts
        long[] runCounts = scratch.b;
        long partMask = (1L << width) - 1;
        int runs = 0;
        for (int i = 0; i < n; ) {
            long key = sorted[i];
            int j = i + 1;
            while (j < n && sorted[j] == key) {
                j++;
            }
            sorted[runs] = (key >>> width) << BUCKET_BITS | ((key & partMask) + minPart);
            runCounts[runs++] = j - i;
            i = j;
        }
        return runs;
    }

    /** Merges {@code n} sorted, distinct (key, count) into the sorted counts, through the double buffer. */
    private void merge(long[] k, long[] c, int n) {
        long[] mk = spareKeys;
        long[] mc = spareCounts;
        if (mk.length < size + n) {
            mk = new long[size + n + (size + n) / 4];
            mc = new long[mk.length];
        }
        int a = 0;
        int b = 0;
        int m = 0;
        while (a < size && b < n) {
            long ka = keys[a];
            long kb = k[b];
            if (ka == kb) {
                mk[m] = ka;
                mc[m++] = counts[a++] + c[b++];
            } else if (ka < kb) {
                mk[m] = ka;
                mc[m++] = counts[a++];
            } else {
                mk[m] = kb;
                mc[m++] = c[b++];
            }
        }
        while (a < size) {
            mk[m] = keys[a];
            mc[m++] = counts[a++];
        }
        while (b < n) {
            mk[m] = k[b];
            mc[m++] = c[b++];
        }
        spareKeys = keys;
        spareCounts = counts;
        keys = mk;
        counts = mc;
        size = m;
    }
}
