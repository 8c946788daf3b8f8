package io.logbunker.connect.source.window;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The histograms of one metric for every open group: counts keyed by (group index, bucket) in one open-addressing
 * table, so that counting a value allocates nothing and a group's histogram costs only its non-empty buckets.
 */
final class BucketCounts {
    private static final int EMPTY = -1;

    private int[] slots = new int[256];
    private int mask = 255;
    int[] group = new int[128];
    int[] bucket = new int[128];
    long[] count = new long[128];
    int size;

    BucketCounts() {
        Arrays.fill(slots, EMPTY);
    }

    void add(int g, int b, long n) {
        int slot = hash(g, b) & mask;
        while (true) {
            int e = slots[slot];
            if (e == EMPTY) {
                break;
            }
            if (group[e] == g && bucket[e] == b) {
                count[e] += n;
                return;
            }
            slot = (slot + 1) & mask;
        }
        if (size == group.length) {
            group = Arrays.copyOf(group, size * 2);
            bucket = Arrays.copyOf(bucket, size * 2);
            count = Arrays.copyOf(count, size * 2);
        }
        int e = size++;
        group[e] = g;
        bucket[e] = b;
        count[e] = n;
        slots[slot] = e;
        if (size * 2 > slots.length) {
            rehash(slots.length * 2);
        }
    }

    /** The histogram of every group below {@code groups}, or null for a group without values. */
    Map<Integer, Long>[] byGroup(int groups) {
        @SuppressWarnings("unchecked")
        Map<Integer, Long>[] out = new Map[groups];
        for (int e = 0; e < size; e++) {
            Map<Integer, Long> m = out[group[e]];
            if (m == null) {
                m = new HashMap<>();
                out[group[e]] = m;
            }
            m.put(bucket[e], count[e]);
        }
        return out;
    }

    void clear() {
        if (size > 0) {
            Arrays.fill(slots, EMPTY);
            size = 0;
        }
    }

    private static int hash(int g, int b) {
        int h = g * 0x9E3779B1 + b * 0x85EBCA77;
        return h ^ (h >>> 15);
    }

    private void rehash(int capacity) {
        slots = new int[capacity];
        Arrays.fill(slots, EMPTY);
        mask = capacity - 1;
        for (int e = 0; e < size; e++) {
            int slot = hash(group[e], bucket[e]) & mask;
            while (slots[slot] != EMPTY) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = e;
        }
    }
}
