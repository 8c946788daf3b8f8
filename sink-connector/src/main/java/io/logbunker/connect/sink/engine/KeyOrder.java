package io.logbunker.connect.sink.engine;

import java.util.Arrays;
import java.util.List;

/**
 * The order of a table's keys, column by column: the order of its primary key index, and the one lock order of every
 * transaction. A batch's rows are put in it so that the database fills the index in one sweep instead of at random
 * places, which at per-ad cardinality is a large part of its CPU per new row (BENCHMARKS.md).
 *
 * <p>Sorting rows with a comparator walks several objects per comparison, which cost as much as the database saved.
 * So where it can, {@link #sorted} ranks each key column's distinct values in the batch (few, except in one column or
 * two), packs each row's ranks and arrival index into one long and sorts those: one primitive sort, with the order and
 * the stability of the comparator. Key columns of other types, or more distinct values than fit, take the comparator.
 */
final class KeyOrder {
    private KeyOrder() {
    }

    /** A table's rows in key order, and where a key's rows begin. */
    record Sorted(MappedRow[] rows, boolean[] sameKeyAsPrevious) {
    }

    /** The rows in key order; the rows of one key stay in the order they arrived. */
    static Sorted sorted(List<MappedRow> list) {
        MappedRow[] rows = list.toArray(new MappedRow[0]);
        int n = rows.length;
        boolean[] same = new boolean[n];
        long[] packed = n < 2 ? null : packedRanks(rows);
        if (packed == null) {
            Arrays.sort(rows, KeyOrder::compareRows); // stable
            for (int i = 1; i < n; i++) {
                same[i] = compareRows(rows[i - 1], rows[i]) == 0;
            }
            return new Sorted(rows, same);
        }
        Arrays.sort(packed);
        int indexBits = bitsFor(n);
        long indexMask = (1L << indexBits) - 1;
        MappedRow[] sorted = new MappedRow[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = rows[(int) (packed[i] & indexMask)];
            same[i] = i > 0 && (packed[i] >>> indexBits) == (packed[i - 1] >>> indexBits);
        }
        return new Sorted(sorted, same);
    }

    /**
     * Per row, its key columns' ranks among the batch's distinct values, then its index, packed into one long; null
     * when a column holds a type whose equality is not its order (or mixed types), or the ranks do not fit.
     */
    static long[] packedRanks(MappedRow[] rows) {
        int n = rows.length;
        int keys = rows[0].shape().keyCount();
        Ids[] columns = new Ids[keys];
        for (int c = 0; c < keys; c++) {
            Class<?> type = rows[0].values()[c].getClass();
            if (!RANKED_TYPES.contains(type)) {
                return null;
            }
            columns[c] = new Ids(type);
        }
        int[] ids = new int[n * keys];
        for (int i = 0, at = 0; i < n; i++) { // row by row: each row's objects are read once
            if (rows[i].shape().keyCount() != keys) {
                return null;
            }
            Object[] v = rows[i].values();
            for (int c = 0; c < keys; c++) {
                int id = columns[c].idOf(v[c]);
                if (id < 0) {
                    return null;
                }
                ids[at++] = id;
            }
        }
        int indexBits = bitsFor(n);
        int bits = indexBits;
        int[][] rank = new int[keys][];
        int[] columnBits = new int[keys];
        for (int c = 0; c < keys; c++) {
            columnBits[c] = bitsFor(columns[c].size);
            bits += columnBits[c];
            if (bits > 63) {
                return null;
            }
            rank[c] = columns[c].ranks();
        }
        long[] packed = new long[n];
        for (int i = 0, at = 0; i < n; i++) {
            long p = 0;
            for (int c = 0; c < keys; c++) {
                p = p << columnBits[c] | rank[c][ids[at++]];
            }
            packed[i] = p << indexBits | i;
        }
        return packed;
    }

    /** The distinct values of one key column, numbered as they first appear: a small open-addressing table. */
    private static final class Ids {
        private final Class<?> type;
        private Object[] slots = new Object[64];
        private int[] slotIds = new int[64];
        private Object[] values = new Object[32];
        int size;

        Ids(Class<?> type) {
            this.type = type;
        }

        /** The value's number, or -1 when it is not of the column's type. */
        int idOf(Object v) {
            if (v.getClass() != type) {
                return -1;
            }
            int mask = slots.length - 1;
            for (int s = spread(v.hashCode()) & mask; ; s = (s + 1) & mask) {
                Object k = slots[s];
                if (k == null) {
                    if (size == values.length) {
                        values = Arrays.copyOf(values, size * 2);
                    }
                    values[size] = v;
                    slots[s] = v;
                    slotIds[s] = size;
                    if (++size * 2 > slots.length) {
                        grow();
                    }
                    return size - 1;
                }
                if (k.equals(v)) {
                    return slotIds[s];
                }
            }
        }

        private static int spread(int h) {
            int x = (h ^ (h >>> 16)) * 0x9E3779B1;
            return x ^ (x >>> 16);
        }

        private void grow() {
            Object[] oldSlots = slots;
            int[] oldIds = slotIds;
            slots = new Object[oldSlots.length * 2];
            slotIds = new int[slots.length];
            int mask = slots.length - 1;
            for (int i = 0; i < oldSlots.length; i++) {
                if (oldSlots[i] != null) {
                    int s = spread(oldSlots[i].hashCode()) & mask;
                    while (slots[s] != null) {
                        s = (s + 1) & mask;
                    }
                    slots[s] = oldSlots[i];
                    slotIds[s] = oldIds[i];
                }
            }
        }

        /** Each number's rank among the values in {@link #compareValues} order. */
        int[] ranks() {
            Integer[] byValue = new Integer[size];
            for (int d = 0; d < size; d++) {
                byValue[d] = d;
            }
            Arrays.sort(byValue, (x, y) -> compareValues(values[x], values[y]));
            int[] rank = new int[size];
            for (int r = 0; r < size; r++) {
                rank[byValue[r]] = r;
            }
            return rank;
        }
    }

    /** Types whose {@code equals} agrees with {@link #compareValues} (unlike BigDecimal's or byte[]'s). */
    private static final java.util.Set<Class<?>> RANKED_TYPES = java.util.Set.of(String.class, java.util.Date.class, Long.class,
            Integer.class, Short.class, Byte.class, Boolean.class);

    /** Bits for the numbers below {@code n}. */
    private static int bitsFor(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    static int compareRows(MappedRow a, MappedRow b) {
        return compare(a.values(), a.shape().keyCount(), b.values(), b.shape().keyCount());
    }

    /** Key column by key column; the usual key types compared directly, without a call through Comparable. */
    static int compare(Object[] a, int aKeys, Object[] b, int bKeys) {
        for (int i = 0; i < aKeys && i < bKeys; i++) {
            int c = compareValues(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(aKeys, bKeys);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object x, Object y) {
        if (x instanceof String sx && y instanceof String sy) {
            return sx.compareTo(sy);
        }
        if (x instanceof java.util.Date dx && y instanceof java.util.Date dy) {
            return Long.compare(dx.getTime(), dy.getTime());
        }
        if (x instanceof Long lx && y instanceof Long ly) {
            return Long.compare(lx, ly);
        }
        if (x instanceof Integer ix && y instanceof Integer iy) {
            return Integer.compare(ix, iy);
        }
        if (x instanceof byte[] bx && y instanceof byte[] by) {
            return Arrays.compare(bx, by);
        }
        if (x.getClass() == y.getClass() && x instanceof Comparable) {
            return ((Comparable) x).compareTo(y);
        }
        return x.toString().compareTo(y.toString());
    }
}
