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

    @Test
    void aBatchRecordSurvivesJsonConverterAndCompactConverterAndMapsToTheSameRows() {
        Schema batch = SchemaBuilder.array(ROW).name("io.logbunker.accesslog.AggregateBatch").version(1).parameter("merge", "rows").build();
        java.util.List<Object> rows = java.util.List.of(new Struct(ROW).put("status", "200").put("requests", 3L).put("arg_ad", "a1"),
                new Struct(ROW).put("status", "500").put("requests", 9L).put("arg_ad", "a2"));
        java.util.List<org.apache.kafka.connect.storage.Converter> converters = new java.util.ArrayList<>();
        org.apache.kafka.connect.json.JsonConverter json = new org.apache.kafka.connect.json.JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        converters.add(json);
        converters.add(new io.logbunker.connect.converter.CompactConverter());
        for (org.apache.kafka.connect.storage.Converter c : converters) {
            org.apache.kafka.connect.data.SchemaAndValue back = c.toConnectData("metrics", c.fromConnectData("metrics", batch, rows));
            SinkRecord r = new SinkRecord("metrics", 0, null, null, back.schema(), back.value(), 7);
            java.util.List<MappedRow> mapped = new RecordMapper("${topic}", Map.of(), false).mapAll(r);
            assertEquals(2, mapped.size(), c.getClass().getSimpleName());
            assertEquals(java.util.List.of("500", "a2", 9L), java.util.Arrays.asList(mapped.get(1).values()), c.getClass().getSimpleName());
        }
    }
}
