package io.logbunker.connect.sink.engine;

import java.util.ArrayList;
import java.util.List;

/** The columns of one target table as the records describe it: key columns first, in key-schema order. */
public record TableShape(String table, List<Column> columns) {

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
        int n = 0;
        for (Column c : columns) {
            if (c.isKey()) {
                n++;
            }
        }
        return n;
    }

    public Column column(String name) {
        for (Column c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }
}
