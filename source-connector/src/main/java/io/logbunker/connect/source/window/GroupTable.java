package io.logbunker.connect.source.window;

import java.util.Arrays;

/**
 * Open-addressing hash table from (window start, group key bytes) to metric accumulators, laid out as parallel
 * arrays so that folding a line into an existing group allocates nothing. Keys are copied into one byte arena
 * only when a group is created.
 */
final class GroupTable {
    private static final int EMPTY = -1;

    private int[] slots;          // group index, or EMPTY
    private int mask;

    // per group
    long[] windowStart = new long[64];
    int[] keyOffset = new int[64];
    int[] keyLength = new int[64];
    long[] hash = new long[64];
    long[] requests = new long[64];
    long[] bytesSent = new long[64];
    /**
     * Per group, per metric: sum, min, max and the count of lines with a value (a whole number in a double), side by
     * side so that folding a line touches one cache line for all its metrics: metric m of group g starts at
     * {@code g * stride + 4 * m}.
     */
    final int metrics;
    final int stride;
    double[] metricData;
    static final int SUM = 0;
    static final int MIN = 1;
    static final int MAX = 2;
    static final int COUNT = 3;
    int size;

    byte[] arena = new byte[4096];
    int arenaLength;

    GroupTable(int metrics) {
        this.metrics = metrics;
        this.stride = 4 * metrics;
        this.metricData = new double[64 * stride];
        slots = new int[256];
        Arrays.fill(slots, EMPTY);
        mask = slots.length - 1;
    }

    int size() {
        return size;
    }

    /** The index of the group, or -1 when it does not exist yet. */
    int find(long window, byte[] key, int keyLen, long h) {
        return find(window, key, 0, keyLen, h);
    }

    /** The index of the group whose key is {@code key[keyOff, keyOff + keyLen)}, or -1. */
    int find(long window, byte[] key, int keyOff, int keyLen, long h) {
        int slot = (int) h & mask;
        while (true) {
            int g = slots[slot];
            if (g == EMPTY) {
                return -1;
            }
            if (hash[g] == h && windowStart[g] == window && keyEquals(g, key, keyOff, keyLen)) {
                return g;
            }
            slot = (slot + 1) & mask;
        }
    }

    int insert(long window, byte[] key, int keyLen, long h) {
        return insert(window, key, 0, keyLen, h);
    }

    /** Creates the group whose key is {@code key[keyOff, keyOff + keyLen)}; it must not exist. */
    int insert(long window, byte[] key, int keyOff, int keyLen, long h) {
        if (size == windowStart.length) {
            growGroups();
        }
        if ((size + 1) * 2 > slots.length) {
            rehash(slots.length * 2);
        }
        int g = size++;
        windowStart[g] = window;
        hash[g] = h;
        if (arenaLength + keyLen > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaLength + keyLen));
        }
        System.arraycopy(key, keyOff, arena, arenaLength, keyLen);
        keyOffset[g] = arenaLength;
        keyLength[g] = keyLen;
        arenaLength += keyLen;
        requests[g] = 0;
        bytesSent[g] = 0;
        for (int o = g * stride, end = o + stride; o < end; o += 4) {
            metricData[o + SUM] = 0;
            metricData[o + MIN] = Double.POSITIVE_INFINITY;
            metricData[o + MAX] = Double.NEGATIVE_INFINITY;
            metricData[o + COUNT] = 0;
        }
        int slot = (int) h & mask;
        while (slots[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = g;
        return g;
    }

    /** The group in the slot a key of hash {@code h} is looked up in first, or -1. */
    int firstSlot(long h) {
        return slots[(int) h & mask];
    }

    /** Reads what a lookup and a fold of group {@code g} read first (its fields, not its key bytes). */
    long touchFields(int g) {
        long read = hash[g] + windowStart[g] + keyLength[g] + requests[g];
        return stride == 0 ? read : read + Double.doubleToRawLongBits(metricData[g * stride]);
    }

    /** Reads the first byte of group {@code g}'s key. */
    int touchKey(int g) {
        return arena[keyOffset[g]];
    }

    void clear() {
        Arrays.fill(slots, EMPTY);
        size = 0;
        arenaLength = 0;
    }

    static long hash(long window, byte[] key, int len) {
        return io.logbunker.connect.source.format.Bytes.hash(key, len, window);
    }

    private boolean keyEquals(int g, byte[] key, int off, int len) {
        if (keyLength[g] != len) {
            return false;
        }
        return Arrays.equals(arena, keyOffset[g], keyOffset[g] + len, key, off, off + len);
    }

    private void growGroups() {
        int n = windowStart.length * 2;
        windowStart = Arrays.copyOf(windowStart, n);
        keyOffset = Arrays.copyOf(keyOffset, n);
        keyLength = Arrays.copyOf(keyLength, n);
        hash = Arrays.copyOf(hash, n);
        requests = Arrays.copyOf(requests, n);
        bytesSent = Arrays.copyOf(bytesSent, n);
        metricData = Arrays.copyOf(metricData, n * stride);
    }

    private void rehash(int capacity) {
        slots = new int[capacity];
        Arrays.fill(slots, EMPTY);
        mask = capacity - 1;
        for (int g = 0; g < size; g++) {
            int slot = (int) hash[g] & mask;
            while (slots[slot] != EMPTY) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = g;
        }
    }
}
