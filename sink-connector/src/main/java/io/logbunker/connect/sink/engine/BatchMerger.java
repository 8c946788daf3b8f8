package io.logbunker.connect.sink.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pre-merges a batch in memory per table and primary key, with the same functions the SQL applies, so one
 * statement never touches a row twice; then sorts rows by key so concurrent transactions lock rows in the
 * same order and cannot deadlock each other.
 */
public final class BatchMerger {

    /** What one key ends up as: delete the stored row first (tombstone), then upsert {@code values} if any. */
    public static final class Pending {
        TableShape shape;
        final Object[] key;
        boolean deleteFirst;
        Object[] values;

        Pending(TableShape shape, Object[] key) {
            this.shape = shape;
            this.key = key;
        }

        public TableShape shape() {
            return shape;
        }

        public Object[] key() {
            return key;
        }

        public boolean deleteFirst() {
            return deleteFirst;
        }

        public Object[] values() {
            return values;
        }
    }

    private record RowKey(String table, Object[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RowKey r && r.table.equals(table) && Arrays.deepEquals(r.key, key);
        }

        @Override
        public int hashCode() {
            return table.hashCode() * 31 + Arrays.deepHashCode(key);
        }
    }

    private final Map<RowKey, Pending> rows = new LinkedHashMap<>();

    public void add(MappedRow row) {
        TableShape shape = row.shape();
        int k = shape.keyCount();
        Object[] key = Arrays.copyOf(row.values(), k);
        Pending p = rows.computeIfAbsent(new RowKey(shape.table(), key), rk -> new Pending(shape, key));
        if (row.delete()) {
            p.deleteFirst = true;
            p.values = null;
            return;
        }
        if (p.values == null) {
            // the first upsert of the key, or the first after a tombstone, which may have come in an older shape
            p.values = row.values().clone();
            p.shape = shape;
            return;
        }
        if (p.shape != shape) {
            // the schema changed inside the batch: widen to the newer shape, matching columns by name
            p.values = widen(p.values, p.shape, shape);
            p.shape = shape;
        }
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

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public int size() {
        return rows.size();
    }

    /** The merged rows grouped by table (tables sorted by name), each group sorted by primary key. */
    public Map<String, List<Pending>> sortedByTable() {
        Map<String, List<Pending>> byTable = new java.util.TreeMap<>();
        for (Pending p : rows.values()) {
            byTable.computeIfAbsent(p.shape.table(), t -> new ArrayList<>()).add(p);
        }
        for (List<Pending> list : byTable.values()) {
            list.sort(KEY_ORDER);
        }
        return byTable;
    }

    public void clear() {
        rows.clear();
    }

    /** Key column by key column; the usual key types compared directly, without a call through Comparable. */
    static final Comparator<Pending> KEY_ORDER = (a, b) -> {
        for (int i = 0; i < a.key.length && i < b.key.length; i++) {
            int c = compareValues(a.key[i], b.key[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.key.length, b.key.length);
    };

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
