package io.logbunker.connect.sink.engine;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordMapperTest {
    private static final Schema KEY = SchemaBuilder.struct().name("k").field("status", Schema.STRING_SCHEMA).build();

    private static Schema value(String accuracy) {
        return SchemaBuilder.struct().name("v").field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
                .field("rt_histogram", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional()
                        .parameter("merge", "histogram").parameter("histogram.relative.accuracy", accuracy).build()).build();
    }

    private static SinkRecord record(Schema value, Map<Integer, Long> buckets) {
        return new SinkRecord("metrics", 0, KEY, new Struct(KEY).put("status", "200"), value,
                new Struct(value).put("requests", 1L).put("rt_histogram", buckets), 0);
    }

    @Test
    void aHistogramFieldIsOneColumnOfTheRowHoldingItsCounts() {
        MappedRow row = new RecordMapper("${topic}", Map.of(), false).map(record(value("0.01"), Map.of(9, 4L, 2, 1L)));
        assertEquals(3, row.shape().columns().size());
        Column h = row.shape().column("rt_histogram");
        assertEquals(MergeFunction.HISTOGRAM, h.merge());
        assertEquals("[[2,1],[9,4]]", ((HistogramCounts) row.values()[2]).toJson());
    }

    @Test
    void bucketsOfAnotherAccuracyForTheSameColumnAreABadRecord() {
        RecordMapper mapper = new RecordMapper("${topic}", Map.of(), false);
        mapper.map(record(value("0.01"), Map.of(1, 1L)));
        RecordMappingException e = assertThrows(RecordMappingException.class, () -> mapper.map(record(value("0.02"), Map.of(1, 1L))));
        assertTrue(e.getMessage().contains("relative accuracy 0.02") && e.getMessage().contains("another table"), e.getMessage());
    }

    @Test
    void aHistogramWithoutItsAccuracyCannotBeRead() {
        Schema noAccuracy = SchemaBuilder.struct().name("v").field("rt_histogram", SchemaBuilder.map(Schema.INT32_SCHEMA,
                Schema.INT64_SCHEMA).optional().parameter("merge", "histogram").build()).build();
        SinkRecord r = new SinkRecord("metrics", 0, KEY, new Struct(KEY).put("status", "200"), noAccuracy,
                new Struct(noAccuracy).put("rt_histogram", Map.of(1, 1L)), 0);
        RecordMappingException e = assertThrows(RecordMappingException.class, () -> new RecordMapper("${topic}", Map.of(), false).map(r));
        assertTrue(e.getMessage().contains("histogram.relative.accuracy"), e.getMessage());
    }

    private static final Schema ROW = SchemaBuilder.struct().name("row")
            .field("status", SchemaBuilder.string().parameter("merge", "key").build())
            .field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
            .field("arg_ad", SchemaBuilder.string().parameter("merge", "key").build()).build();

    private static SinkRecord batch(Schema row, java.util.List<Object> rows) {
        Schema batch = SchemaBuilder.array(row).name("b").parameter("merge", "rows").build();
        return new SinkRecord("metrics", 0, null, null, batch, rows, 41);
    }

    @Test
    void aBatchRecordIsOneRowPerElementKeyedByItsMergeKeyFields() {
        RecordMapper mapper = new RecordMapper("${topic}", Map.of(), false);
        java.util.List<MappedRow> rows = mapper.mapAll(batch(ROW, java.util.List.of(
                new Struct(ROW).put("status", "200").put("requests", 3L).put("arg_ad", "a1"),
                new Struct(ROW).put("status", "404").put("requests", 1L).put("arg_ad", "a2"))));
        assertEquals(2, rows.size());
        MappedRow first = rows.get(0);
        assertEquals(java.util.List.of("status", "arg_ad", "requests"), first.shape().columns().stream().map(Column::name).toList(),
                "the key columns first, in the row's order");
        assertEquals(2, first.shape().keyCount());
        assertEquals(java.util.List.of("200", "a1", 3L), java.util.Arrays.asList(first.values()));
        assertEquals(java.util.List.of("404", "a2", 1L), java.util.Arrays.asList(rows.get(1).values()));
        assertEquals(41, first.offset(), "every row carries its record's position");
        assertEquals(first.shape(), rows.get(1).shape());
        SinkRecord single = new SinkRecord("metrics", 0, KEY, new Struct(KEY).put("status", "200"), value("0.01"),
                new Struct(value("0.01")).put("requests", 1L), 0);
        assertEquals(1, mapper.mapAll(single).size(), "a record of one row maps as before");
    }

    @Test
    void aBatchWhoseRowsHaveNoKeyFieldOrAreNotStructsIsABadRecord() {
        Schema noKey = SchemaBuilder.struct().name("row").field("requests", SchemaBuilder.int64().parameter("merge", "sum").build()).build();
        RecordMappingException e = assertThrows(RecordMappingException.class, () -> new RecordMapper("${topic}", Map.of(), false)
                .mapAll(batch(noKey, java.util.List.of(new Struct(noKey).put("requests", 1L)))));
        assertTrue(e.getMessage().contains("merge=key"), e.getMessage());
        Schema texts = SchemaBuilder.array(Schema.STRING_SCHEMA).parameter("merge", "rows").build();
        SinkRecord notRows = new SinkRecord("metrics", 0, null, null, texts, java.util.List.of("x"), 0);
        e = assertThrows(RecordMappingException.class, () -> new RecordMapper("${topic}", Map.of(), false).mapAll(notRows));
        assertTrue(e.getMessage().contains("not a row Struct"), e.getMessage());
    }
}
