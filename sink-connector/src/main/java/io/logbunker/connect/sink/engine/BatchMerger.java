package io.logbunker.connect.sink.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pre-merges a batch in memory per table and primary key, with the same functions the SQL applies, so one
 * statement never touches a row twice, and puts each table's rows in {@link #LOCK_ORDER}, so that concurrent
 * transactions lock rows in the same order and cannot deadlock each other.
 *
 * <p>Both come from one sort: a table's rows are sorted by their key's hash (a primitive sort, stable by arrival),
 * so the rows of one key end up side by side, in the order they arrived, and are merged there. A hash map of keys
 * would cost an entry per row for nothing in the usual batch, where every key is distinct.
 */
public final class BatchMerger {

    /**
     * What one key ends up as: delete the stored row first (tombstone), then upsert {@code values} if any. A batch of
     * distinct keys, the usual one, costs one of these per row.
     */
    public static final class Pending {
        TableShape shape;
        /** The key columns are this array's first {@code keyCount} values; nothing writes to them. */
        private final Object[] key;
        private final int keyCount;
        /** {@link Arrays#deepHashCode} of the key columns: the same in every JVM for the types key columns take. */
        final int keyHash;
        boolean deleteFirst;
        Object[] values;
        /**
         * Whether {@code values} is this merger's own array. A row's array is only borrowed: a retried transaction
         * merges the same rows again, so it is copied before the first merge writes into it.
         */
        private boolean ownsValues;

        Pending(TableShape shape, Object[] row, int keyHash) {
            this.shape = shape;
            this.key = row;
            this.keyCount = shape.keyCount();
            this.keyHash = keyHash;
        }

        public TableShape shape() {
            return shape;
        }

        /** The key columns' values (a copy). */
        public Object[] key() {
            return Arrays.copyOf(key, keyCount);
        }

        Object keyValue(int i) {
            return key[i];
        }

        int keyCount() {
            return keyCount;
        }

        public boolean deleteFirst() {
            return deleteFirst;
        }

        public Object[] values() {
            return values;
        }

        /** Whether {@code row}'s key columns are this key (rows of one table). */
        boolean hasKeyOf(TableShape rowShape, Object[] row) {
            if (rowShape.keyCount() != keyCount) {
                return false;
            }
            for (int i = 0; i < keyCount; i++) {
                if (!java.util.Objects.deepEquals(key[i], row[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * {@link Arrays#deepHashCode} of {@code values[0, n)}, without copying them out. Key values are Connect values, whose
     * only array type is BYTES' {@code byte[]}.
     */
    static int keyHash(Object[] values, int n) {
        int h = 1;
        for (int i = 0; i < n; i++) {
            Object e = values[i];
            h = 31 * h + (e instanceof byte[] b ? Arrays.hashCode(b) : java.util.Objects.hashCode(e));
        }
        return h;
    }

    /** The batch's rows per table, in arrival order; merged when the batch is written. */
    private final Map<String, List<MappedRow>> rows = new TreeMap<>();
    private String lastTable;
    private List<MappedRow> lastRows;

    public void add(MappedRow row) {
        String table = row.shape().table();
        if (!table.equals(lastTable)) {
            lastRows = rows.computeIfAbsent(table, t -> new ArrayList<>());
            lastTable = table;
        }
        lastRows.add(row);
    }

    /** Applies one row of {@code p}'s key, in arrival order. */
    private static void apply(Pending p, MappedRow row) {
        TableShape shape = row.shape();
        if (row.delete()) {
            p.deleteFirst = true;
            p.values = null;
            return;
        }
        if (p.values == null) {
            // the first upsert of the key, or the first after a tombstone, which may have come in an older shape
            p.values = row.values();
            p.ownsValues = false;
            p.shape = shape;
            return;
        }
        if (p.shape != shape) {
            // the schema changed inside the batch: widen to the newer shape, matching columns by name
            p.values = widen(p.values, p.shape, shape);
            p.ownsValues = true;
            p.shape = shape;
        }
        if (!p.ownsValues) {
            p.values = p.values.clone();
            p.ownsValues = true;
        }
        int k = shape.keyCount();
        List<Column> cols = shape.columns();
        for (int i = k; i < cols.size(); i++) {
            p.values[i] = cols.get(i).merge().combine(p.values[i], row.values()[i]);
        }
    }

    private static Object[] widen(Object[] values, TableShape from, TableShape to) {
        Object[] out = new Object[to.columns().size()];
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < from.columns().size(); i++) {
            idx.put(from.columns().get(i).name(), i);
        }
        for (int i = 0; i < out.length; i++) {
            Integer j = idx.get(to.columns().get(i).name());
            out[i] = j == null ? null : values[j];
        }
        return out;
    }

    /** The merged rows grouped by table (tables sorted by name), each group in {@link #LOCK_ORDER}. */
    public Map<String, List<Pending>> sortedByTable() {
        Map<String, List<Pending>> byTable = new TreeMap<>();
        for (Map.Entry<String, List<MappedRow>> e : rows.entrySet()) {
            byTable.put(e.getKey(), mergedInLockOrder(e.getValue()));
        }
        return byTable;
    }

    /**
     * The order in which every transaction touches a table's rows. Deadlock freedom needs only one total order that
     * every task uses, not a meaningful one: by the key's hash, which costs an int comparison where comparing keys
     * costs a walk through their columns (a sort of large batches was the merger's main cost), and by the keys
     * themselves only among equal hashes.
     */
    static final Comparator<Pending> LOCK_ORDER = Comparator.<Pending>comparingInt(p -> p.keyHash).thenComparing(BatchMerger::compareKeys);

    /** One table's rows merged per key, in {@link #LOCK_ORDER}. */
    private static List<Pending> mergedInLockOrder(List<MappedRow> list) {
        int n = list.size();
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            MappedRow r = list.get(i);
            // signed hash in the high half keeps LOCK_ORDER's order of hashes; the low half (arrival) finds the row
            // again and keeps the rows of one hash in the order they arrived
            order[i] = (long) keyHash(r.values(), r.shape().keyCount()) << 32 | i;
        }
        Arrays.sort(order);
        List<Pending> out = new ArrayList<>(n);
        for (int i = 0; i < n; ) {
            int hash = (int) (order[i] >> 32);
            int j = i + 1;
            while (j < n && (int) (order[j] >> 32) == hash) {
                j++;
            }
            int from = out.size();
            for (int k = i; k < j; k++) {
                MappedRow r = list.get((int) order[k]);
                Pending p = null;
                for (int q = from; q < out.size() && p == null; q++) {
                    if (out.get(q).hasKeyOf(r.shape(), r.values())) {
                        p = out.get(q);
                    }
                }
                if (p == null) {
                    p = new Pending(r.shape(), r.values(), hash);
                    out.add(p);
                }
                apply(p, r);
            }
            if (out.size() - from > 1) {
                out.subList(from, out.size()).sort(BatchMerger::compareKeys);
            }
            i = j;
        }
        return out;
    }

    public void clear() {
        rows.clear();
        lastTable = null;
        lastRows = null;
    }

    /** Key column by key column; the usual key types compared directly, without a call through Comparable. */
    private static int compareKeys(Pending a, Pending b) {
        for (int i = 0; i < a.keyCount && i < b.keyCount; i++) {
            int c = compareValues(a.key[i], b.key[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.keyCount, b.keyCount);
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
