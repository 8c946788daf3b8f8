package io.logbunker.connect.sink.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The columns of one target table as the records describe it: key columns first, in key-schema order.
 *
 * <p>Every row carries its shape, and the write path counts its key columns and looks it up in hash maps per row. A
 * shape's hash walks every column's schema, so it and the key count are computed once, here.
 */
public final class TableShape {
    private final String table;
    private final List<Column> columns;
    private final int keyCount;
    private final int hash;

    public TableShape(String table, List<Column> columns) {
        this.table = table;
        this.columns = List.copyOf(columns);
        int keys = 0;
        for (Column c : this.columns) {
            if (c.isKey()) {
                keys++;
            }
        }
        this.keyCount = keys;
        this.hash = 31 * table.hashCode() + this.columns.hashCode();
    }

    public String table() {
        return table;
    }

    public List<Column> columns() {
        return columns;
    }

    /** Whether {@code name} is one of the key columns. */
    public boolean isKeyColumn(String name) {
        for (Column c : columns) {
            if (c.isKey() && c.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    public List<Column> keyColumns() {
        List<Column> keys = new ArrayList<>();
        for (Column c : columns) {
            if (c.isKey()) {
                keys.add(c);
            }
        }
        return keys;
    }

    public int keyCount() {
        return keyCount;
    }

    public Column column(String name) {
        for (Column c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof TableShape t && t.hash == hash && t.table.equals(table) && t.columns.equals(columns);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "TableShape[table=" + table + ", columns=" + columns + "]";
    }
}
