package io.logbunker.connect.source.window;

/** LSD radix sorts of the histogram buffers, 11 bits per pass: a pass's counts (8 KB) stay in the L1 cache. */
final class RadixSort {
    static final int DIGIT_BITS = 11;
    static final int DIGITS = 1 << DIGIT_BITS;
    static final int DIGIT_MASK = DIGITS - 1;

    private RadixSort() {
    }

    /**
     * LSD radix sort of {@code k[0, n)} (non-negative keys; {@code c} along when not null), over the bits in which the
     * keys differ only, with {@code spare} (at least n long) as the second buffer.
     */
    static void longs(long[] k, long[] c, int n, long[] spare, int[] count) {
        long differing = 0;
        for (int i = 1; i < n; i++) {
            differing |= k[i] ^ k[0];
        }
        if (differing == 0) {
            return;
        }
        int low = Long.numberOfTrailingZeros(differing);
        int high = 64 - Long.numberOfLeadingZeros(differing);
        long[] srcK = k;
        long[] srcC = c;
        long[] dstK = spare;
        long[] dstC = c == null ? null : new long[n];
        for (int shift = low; shift < high; shift += DIGIT_BITS) {
            java.util.Arrays.fill(count, 0);
            for (int i = 0; i < n; i++) {
                count[(int) (srcK[i] >>> shift) & DIGIT_MASK]++;
            }
            startsFromCounts(count);
            for (int i = 0; i < n; i++) {
                int at = count[(int) (srcK[i] >>> shift) & DIGIT_MASK]++;
                dstK[at] = srcK[i];
                if (dstC != null) {
                    dstC[at] = srcC[i];
                }
            }
            long[] t = srcK;
            srcK = dstK;
            dstK = t;
            if (dstC != null) {
                long[] u = srcC;
                srcC = dstC;
                dstC = u;
            }
        }
        if (srcK != k) {
            System.arraycopy(srcK, 0, k, 0, n);
            if (c != null) {
                System.arraycopy(srcC, 0, c, 0, n);
            }
        }
    }

    /**
     * LSD radix sort of {@code k[0, n)} as unsigned ints below {@code 2^bits}, with {@code other} as the second buffer;
     * {@code count} holds the first digit's counts already.
     *
     * @return whichever of {@code k} and {@code other} holds the sorted keys
     */
    static int[] ints(int[] k, int[] other, int n, int bits, int[] count) {
        int[] src = k;
        int[] dst = other;
        for (int shift = 0; shift < bits; shift += DIGIT_BITS) {
            if (shift > 0) {
                java.util.Arrays.fill(count, 0);
                for (int i = 0; i < n; i++) {
                    count[(src[i] >>> shift) & DIGIT_MASK]++;
                }
            }
            if (count[(src[0] >>> shift) & DIGIT_MASK] == n) {
                continue; // one digit value: this pass would not move anything
            }
            startsFromCounts(count);
            for (int i = 0; i < n; i++) {
                int v = src[i];
                dst[count[(v >>> shift) & DIGIT_MASK]++] = v;
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        return src;
    }

    /** Turns the count of each digit into the position its first key goes to. */
    private static void startsFromCounts(int[] count) {
        int sum = 0;
        for (int d = 0; d < count.length; d++) {
            int t = count[d];
            count[d] = sum;
            sum += t;
        }
    }
}
