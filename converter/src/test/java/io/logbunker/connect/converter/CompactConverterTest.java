package io.logbunker.connect.converter;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompactConverterTest {
    /** The shape of the source's aggregate record: key fields and merge functions as schema parameters, a histogram map. */
    static final Schema AGGREGATE = SchemaBuilder.struct().name("io.logbunker.accesslog.Aggregate").version(1).doc("an aggregate")
            .field("window_start", Timestamp.builder().parameter("merge", "key").build())
            .field("window_end", Timestamp.builder().parameter("merge", "max").build())
            .field("status", SchemaBuilder.string().parameter("merge", "key").build())
            .field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
            .field("request_time_sum", SchemaBuilder.float64().optional().parameter("merge", "sum").build())
            .field("request_time_histogram", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional()
                    .parameter("merge", "histogram").parameter("histogram.relative.accuracy", "0.01").build())
            .build();

    private static Struct aggregate(String status, long requests, Double sum, Map<Integer, Long> histogram) {
        return new Struct(AGGREGATE).put("window_start", new java.util.Date(1_795_860_000_000L))
                .put("window_end", new java.util.Date(1_795_860_010_000L)).put("status", status).put("requests", requests)
                .put("request_time_sum", sum).put("request_time_histogram", histogram);
    }

    private final CompactConverter converter = new CompactConverter();

    private SchemaAndValue roundTrip(Schema schema, Object value) {
        byte[] bytes = converter.fromConnectData("t", schema, value);
        return new CompactConverter().toConnectData("t", bytes);
    }

    @Test
    void anAggregateRecordComesBackWithItsSchemaParametersAndValues() {
        Map<Integer, Long> h = new LinkedHashMap<>();
        h.put(Integer.MIN_VALUE, 3L);
        h.put(-230, 1L);
        h.put(412, 1_000_000_000_000L);
        Struct value = aggregate("200", 42, 1.25, h);
        SchemaAndValue back = roundTrip(AGGREGATE, value);
        assertEquals(AGGREGATE, back.schema());
        assertEquals("histogram", back.schema().field("request_time_histogram").schema().parameters().get("merge"));
        assertEquals(value, back.value());
        Struct nulls = aggregate("404", 1, null, null);
        assertEquals(nulls, roundTrip(AGGREGATE, nulls).value());
    }

    @Test
    void everyConnectTypeAndLogicalTypeRoundTrips() {
        Schema inner = SchemaBuilder.struct().name("inner").field("b", Schema.BOOLEAN_SCHEMA).field("o", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema schema = SchemaBuilder.struct()
                .field("i8", Schema.INT8_SCHEMA).field("i16", Schema.INT16_SCHEMA).field("i32", Schema.INT32_SCHEMA)
                .field("i64", Schema.INT64_SCHEMA).field("f32", Schema.FLOAT32_SCHEMA).field("f64", Schema.FLOAT64_SCHEMA)
                .field("bool", Schema.BOOLEAN_SCHEMA).field("text", Schema.STRING_SCHEMA).field("bytes", Schema.BYTES_SCHEMA)
                .field("array", SchemaBuilder.array(Schema.OPTIONAL_INT64_SCHEMA).build())
                .field("map", SchemaBuilder.map(Schema.STRING_SCHEMA, inner).build())
                .field("date", Date.SCHEMA).field("time", Time.SCHEMA).field("ts", Timestamp.SCHEMA)
                .field("decimal", Decimal.schema(3)).field("defaulted", SchemaBuilder.int32().defaultValue(7).build())
                .build();
        Struct v = new Struct(schema).put("i8", (byte) -128).put("i16", (short) -32768).put("i32", Integer.MIN_VALUE)
                .put("i64", Long.MAX_VALUE).put("f32", Float.NaN).put("f64", -0.0).put("bool", true)
                .put("text", "üñï €😀 \u0000").put("bytes", new byte[] {0, -1, 127})
                .put("array", Arrays.asList(1L, null, Long.MIN_VALUE))
                .put("map", Map.of("k", new Struct(inner).put("b", false).put("o", null)))
                .put("date", new java.util.Date(86_400_000L * 19_000)).put("time", new java.util.Date(3_600_000L))
                .put("ts", new java.util.Date(-1L)).put("decimal", new BigDecimal("-12345678901234567890.123"))
                .put("defaulted", 9);
        Struct back = (Struct) roundTrip(schema, v).value();
        assertEquals(schema, back.schema());
        back.validate(); // the decoder puts values without Struct.put's check: each is of its field's type all the same
        for (var f : schema.fields()) {
            if (f.name().equals("bytes")) {
                assertArrayEquals((byte[]) v.get(f), (byte[]) back.get(f));
            } else if (f.name().equals("f32")) {
                assertTrue(Float.isNaN(back.getFloat32("f32")));
            } else {
                assertEquals(v.get(f), back.get(f), f.name());
            }
        }
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.getFloat64("f64")));
    }

    @Test
    void primitivesAtTheTopLevelRoundTrip() {
        assertEquals("x", roundTrip(Schema.STRING_SCHEMA, "x").value());
        assertEquals(-5L, roundTrip(Schema.INT64_SCHEMA, -5L).value());
        SchemaAndValue optionalNull = roundTrip(Schema.OPTIONAL_STRING_SCHEMA, null);
        assertNull(optionalNull.value());
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertNull(converter.fromConnectData("t", AGGREGATE, null));
        assertNull(converter.fromConnectData("t", null, null));
        assertEquals(SchemaAndValue.NULL, converter.toConnectData("t", null));
    }

    @Test
    void theSchemaIsEncodedOnceAndDecodedOnceWhileSchemasAlternate() {
        Schema other = SchemaBuilder.struct().name("other").field("n", Schema.INT32_SCHEMA).build();
        CompactConverter reader = new CompactConverter();
        Schema firstDecoded = null;
        for (int i = 0; i < 10; i++) {
            Struct a = aggregate(Integer.toString(200 + i), i, (double) i, null);
            SchemaAndValue back = reader.toConnectData("t", converter.fromConnectData("t", AGGREGATE, a));
            assertEquals(a, back.value());
            if (firstDecoded == null) {
                firstDecoded = back.schema();
            }
            assertSame(firstDecoded, back.schema(), "the decoded schema is cached, not rebuilt per record");
            Struct o = new Struct(other).put("n", i);
            assertEquals(o, reader.toConnectData("t", converter.fromConnectData("t", other, o)).value());
        }
        // an equal schema built separately writes the same bytes
        Schema rebuilt = SchemaBuilder.struct().name("other").field("n", Schema.INT32_SCHEMA).build();
        assertArrayEquals(converter.fromConnectData("t", other, new Struct(other).put("n", 1)),
                converter.fromConnectData("t", rebuilt, new Struct(rebuilt).put("n", 1)));
    }

    @Test
    void itIsSmallerThanJsonWithSchemasAndCarriesTheSameData() {
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        Map<Integer, Long> h = new LinkedHashMap<>();
        for (int b = -300; b < -240; b++) {
            h.put(b, (long) (b + 301));
        }
        Struct value = aggregate("200", 1234, 56.789, h);
        byte[] compact = converter.fromConnectData("t", AGGREGATE, value);
        byte[] viaJson = json.fromConnectData("t", AGGREGATE, value);
        assertTrue(compact.length * 2 < viaJson.length, compact.length + " compact bytes against " + viaJson.length + " JSON");
        assertEquals(json.toConnectData("t", viaJson).value(), new CompactConverter().toConnectData("t", compact).value());
    }

    @Test
    void schemalessDataIsRefusedWithWhatToDo() {
        DataException e = assertThrows(DataException.class, () -> converter.fromConnectData("t", null, Map.of("a", 1)));
        assertTrue(e.getMessage().contains("schemas.enable=false"), e.getMessage());
    }

    @Test
    void aRecordOfAnotherConverterIsRefusedNamingTheCause() {
        byte[] json = "{\"schema\":null,\"payload\":1}".getBytes(StandardCharsets.UTF_8);
        DataException e = assertThrows(DataException.class, () -> converter.toConnectData("metrics", json));
        assertTrue(e.getMessage().contains("another converter") && e.getMessage().contains("metrics"), e.getMessage());
        byte[] future = converter.fromConnectData("t", Schema.STRING_SCHEMA, "x");
        future[1] = 2;
        assertTrue(assertThrows(DataException.class, () -> converter.toConnectData("t", future)).getMessage().contains("version 2"));
    }

    @Test
    void aValueThatDoesNotMatchItsSchemaIsADataException() {
        assertThrows(DataException.class, () -> converter.fromConnectData("t", Schema.INT64_SCHEMA, "not a number"));
        Schema required = SchemaBuilder.struct().field("n", Schema.INT32_SCHEMA).build();
        Struct missing = new Struct(required);
        assertThrows(DataException.class, () -> converter.fromConnectData("t", required, missing));
    }

    @Test
    void truncatedOrCorruptBytesAreDataExceptionsNeverOtherErrors() {
        Map<Integer, Long> h = Map.of(1, 2L, 3, 4L);
        byte[] good = converter.fromConnectData("t", AGGREGATE, aggregate("200", 7, 0.5, h));
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThrows(DataException.class, () -> new CompactConverter().toConnectData("t", cut), "cut at " + len);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThrows(DataException.class, () -> converter.toConnectData("t", longer));
        Random r = new Random(1);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = good.clone();
            b[2 + r.nextInt(b.length - 2)] = (byte) r.nextInt(256);
            try {
                new CompactConverter().toConnectData("t", b);
            } catch (DataException expected) {
                // a flipped byte may still decode (a different count or string); any failure must be a DataException
            }
        }
    }

    @Test
    void listsAndNestedOptionalStructsRoundTrip() {
        Schema item = SchemaBuilder.struct().optional().field("x", Schema.FLOAT64_SCHEMA).build();
        Schema schema = SchemaBuilder.array(item).build();
        List<Struct> list = Arrays.asList(new Struct(item).put("x", 1.5), null);
        assertEquals(list, roundTrip(schema, list).value());
    }
}
