package io.logbunker.connect.sink.engine;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TableShapeTest {
    private static List<Column> columns() {
        return new ArrayList<>(List.of(new Column("window_start", Schema.INT64_SCHEMA, MergeFunction.KEY),
                new Column("status", Schema.STRING_SCHEMA, MergeFunction.KEY),
                new Column("requests", SchemaBuilder.int64().optional().parameter("merge", "sum").build(), MergeFunction.SUM)));
    }

    @Test
    void shapesOfEqualColumnsAreEqualAndHashAlikeWhateverTheInstances() {
        TableShape a = new TableShape("m", columns());
        TableShape b = new TableShape("m", columns());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new TableShape("n", columns()));
        List<Column> fewer = columns();
        fewer.remove(2);
        assertNotEquals(a, new TableShape("m", fewer));
    }

    @Test
    void keyColumnsAreCountedAndTheColumnsCannotChangeUnderTheCachedHash() {
        List<Column> cols = columns();
        TableShape shape = new TableShape("m", cols);
        int hash = shape.hashCode();
        cols.add(new Column("later", Schema.OPTIONAL_STRING_SCHEMA, MergeFunction.REPLACE));
        assertEquals(3, shape.columns().size(), "the shape keeps its own copy");
        assertEquals(hash, shape.hashCode());
        assertEquals(2, shape.keyCount());
        assertEquals(List.of("window_start", "status"), shape.keyColumns().stream().map(Column::name).toList());
    }
}
