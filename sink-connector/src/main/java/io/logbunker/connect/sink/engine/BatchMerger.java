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
 * <p>Both come from one stable sort of a table's rows by key: the rows of one key end up side by side, in the order
 * they arrived, and are merged there (a hash map of keys would cost an entry per row for nothing in the usual batch,
 * where every key is distinct), and the merged rows are in the order of the table's primary key index, which the
 * database then fills in one sweep instead of at random places.
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
        boolean deleteFirst;
        Object[] values;
        /**
         * Whether {@code values} is this merger's own array. A row's array is only borrowed: a retried transaction
         * merges the same rows again, so it is copied before the first merge writes into it.
         */
        private boolean ownsValues;

        Pending(TableShape shape, Object[] row) {
            this.shape = shape;
            this.key = row;
            this.keyCount = shape.keyCount();
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
     * The order in which every transaction touches a table's rows: any total order that every task uses prevents
     * deadlocks; {@link KeyOrder}, the key's own order column by column, is also the order of the primary key index.
     */
    static final Comparator<Pending> LOCK_ORDER = BatchMerger::compareKeys;

    /**
     * One table's rows merged per key, in {@link #LOCK_ORDER}: the rows in key order have each key's rows side by side,
     * in the order they arrived, where they are merged.
     */
    private static List<Pending> mergedInLockOrder(List<MappedRow> list) {
        KeyOrder.Sorted sorted = KeyOrder.sorted(list);
        MappedRow[] rows = sorted.rows();
        List<Pending> out = new ArrayList<>(rows.length);
        Pending p = null;
        for (int i = 0; i < rows.length; i++) {
            MappedRow r = rows[i];
            if (!sorted.sameKeyAsPrevious()[i]) {
                p = new Pending(r.shape(), r.values());
                out.add(p);
            }
            apply(p, r);
        }
        return out;
    }

    public void clear() {
        rows.clear();
        lastTable = null;
        lastRows = null;
    }

    private static int compareKeys(Pending a, Pending b) {
        return KeyOrder.compare(a.key, a.keyCount, b.key, b.keyCount);
    }
}
