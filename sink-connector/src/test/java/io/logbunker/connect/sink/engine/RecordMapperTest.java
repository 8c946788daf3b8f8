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
}
