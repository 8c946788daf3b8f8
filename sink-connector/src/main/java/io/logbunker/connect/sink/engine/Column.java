package io.logbunker.connect.sink.engine;

import org.apache.kafka.connect.data.Schema;

/** A table column derived from a record field: its name, Connect schema and merge function. */
public record Column(String name, Schema schema, MergeFunction merge) {
    public boolean isKey() {
        return merge == MergeFunction.KEY;
    }

    public boolean optional() {
        return !isKey();
    }
}
