package io.logbunker.connect.sink.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /** The rows in key order; the rows of one key stay in the order they arrived. */
    static MappedRow[] sorted(List<MappedRow> rows) {
        MappedRow[] out = rows.toArray(new MappedRow[0]);
        long[] packed = out.length < 2 ? null : packedRanks(out);
        if (packed == null) {
            Arrays.sort(out, KeyOrder::compareRows); // stable
            return out;
        }
        Arrays.sort(packed);
        MappedRow[] sorted = new MappedRow[out.length];
        int indexBits = bitsFor(out.length);
        long indexMask = (1L << indexBits) - 1;
        for (int i = 0; i < packed.length; i++) {
            sorted[i] = out[(int) (packed[i] & indexMask)];
        }
        return sorted;
    }

    /**
     * Per row, its key columns' ranks among the batch's distinct values, then its index, packed into one long; null
     * when a column holds a type whose equality is not its order (or mixed types), or the ranks do not fit.
     */
    static long[] packedRanks(MappedRow[] rows) {
        int n = rows.length;
        int keys = rows[0].shape().keyCount();
        for (MappedRow r : rows) {
            if (r.shape().keyCount() != keys) {
                return null;
            }
        }
        int bits = bitsFor(n);
        long[] packed = new long[n];
        int[] ids = new int[n];
        for (int c = 0; c < keys; c++) {
            Class<?> type = rows[0].values()[c].getClass();
            if (!RANKED_TYPES.contains(type)) {
                return null;
            }
            Map<Object, Integer> idOf = new HashMap<>();
            List<Object> distinct = new ArrayList<>();
            Object last = null;
            int lastId = -1;
            for (int i = 0; i < n; i++) {
                Object v = rows[i].values()[c];
                if (v.getClass() != type) {
                    return null;
                }
                if (!v.equals(last)) {
                    Integer id = idOf.get(v);
                    if (id == null) {
                        id = distinct.size();
                        idOf.put(v, id);
                        distinct.add(v);
                    }
                    last = v;
                    lastId = id;
                }
                ids[i] = lastId;
            }
            int columnBits = bitsFor(distinct.size());
            bits += columnBits;
            if (bits > 63) {
                return null;
            }
            Integer[] byValue = new Integer[distinct.size()];
            for (int d = 0; d < byValue.length; d++) {
                byValue[d] = d;
            }
            Arrays.sort(byValue, (x, y) -> compareValues(distinct.get(x), distinct.get(y)));
            int[] rank = new int[byValue.length];
            for (int r = 0; r < byValue.length; r++) {
                rank[byValue[r]] = r;
            }
            for (int i = 0; i < n; i++) {
                packed[i] = packed[i] << columnBits | rank[ids[i]];
            }
        }
        int indexBits = bitsFor(n);
        for (int i = 0; i < n; i++) {
            packed[i] = packed[i] << indexBits | i;
        }
        return packed;
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
