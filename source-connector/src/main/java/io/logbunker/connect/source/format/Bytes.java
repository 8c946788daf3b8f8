package io.logbunker.connect.source.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte searches eight bytes at a time (SWAR): a word with no match costs a few arithmetic operations instead of
 * eight compares and branches. This is where the parser spends most of its time, inside long quoted fields.
 */
public final class Bytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Bytes() {
    }

    /** The eight bytes at {@code a[i, i + 8)} as a little-endian long. */
    public static long getLong(byte[] a, int i) {
        return (long) LONGS.get(a, i);
    }

    /**
     * A 64-bit hash of {@code a[0, len)} mixed with {@code seed}, eight bytes per step: the group table hashes
     * every line's key, and a byte-at-a-time hash was a visible share of the per-line cost. 64 bits, not 32, so that
     * two different keys practically never share a hash: 120,000 groups under 32 bits make about two such pairs,
     * and the first one reaches a never-taken branch of the compiled lookup, which the JIT then discards and
     * compiles again in the middle of the hot loop.
     */
    public static long hash(byte[] a, int len, long seed) {
        long h = seed ^ (len * 0x9E3779B97F4A7C15L);
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            h = Long.rotateLeft(h ^ ((long) LONGS.get(a, i) * 0xC2B2AE3D27D4EB4FL), 29) * 0x9E3779B97F4A7C15L;
        }
        if (i < len) {
            long tail;
            if (len >= 8) {
                tail = (long) LONGS.get(a, len - 8); // overlaps bytes already mixed: still a function of the content
            } else {
                tail = 0;
                for (int k = len - 1; k >= i; k--) {
                    tail = tail << 8 | (a[k] & 0xffL);
                }
            }
            h = Long.rotateLeft(h ^ (tail * 0xC2B2AE3D27D4EB4FL), 29) * 0x9E3779B97F4A7C15L;
        }
        h ^= h >>> 32;
        h *= 0xD6E8FEB86659FD93L;
        h ^= h >>> 32;
        return h;
    }

    /** High bit set in every byte of {@code word} that equals {@code pattern}'s byte (pattern = b * ONES). */
    private static long matches(long word, long pattern) {
        long x = word ^ pattern;
        return (x - ONES) & ~x & HIGHS;
    }

    /** First index in [from, to) of {@code b}, or -1. */
    public static int indexOf(byte[] a, int from, int to, byte b) {
        long pattern = (b & 0xffL) * ONES;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long m = matches((long) LONGS.get(a, i), pattern);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** First index in [from, to) of either {@code b1} or {@code b2}, or -1. */
    public static int indexOfEither(byte[] a, int from, int to, byte b1, byte b2) {
        long p1 = (b1 & 0xffL) * ONES;
        long p2 = (b2 & 0xffL) * ONES;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = (long) LONGS.get(a, i);
            long m = matches(w, p1) | matches(w, p2);
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (a[i] == b1 || a[i] == b2) {
                return i;
            }
        }
        return -1;
    }
}
