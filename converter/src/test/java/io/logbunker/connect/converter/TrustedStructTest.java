package io.logbunker.connect.converter;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrustedStructTest {
    private static final Schema SCHEMA = SchemaBuilder.struct().name("row")
            .field("at", Timestamp.SCHEMA)
            .field("status", Schema.STRING_SCHEMA)
            .field("requests", Schema.INT64_SCHEMA)
            .field("sum", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("defaulted", SchemaBuilder.int32().optional().defaultValue(7).build())
            .field("histogram", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional().build())
            .build();

    @Test
    void putsGoStraightIntoTheStructOnThisKafka() {
        assertTrue(TrustedStruct.direct(), "Kafka's Struct has no 'values' array any more, so TrustedStruct falls back to "
                + "Struct.put: rows are still right, but building them costs what it did before the fast path; find the new field");
    }

    @Test
    void aStructFilledWithoutTheCheckEqualsOneFilledByPutAndPassesIt() {
        java.util.Date at = new java.util.Date(1_795_860_000_000L);
        Map<Integer, Long> histogram = Map.of(-3, 2L, 40, 1L);
        Struct checked = new Struct(SCHEMA).put("at", at).put("status", "200").put("requests", 42L).put("sum", null)
                .put("histogram", histogram);
        Struct trusted = new Struct(SCHEMA);
        TrustedStruct.put(trusted, SCHEMA.field("at"), at);
        TrustedStruct.put(trusted, SCHEMA.field("status"), "200");
        TrustedStruct.put(trusted, SCHEMA.field("requests"), 42L);
        TrustedStruct.put(trusted, SCHEMA.field("histogram"), histogram);

        assertEquals(checked, trusted);
        assertEquals(checked.hashCode(), trusted.hashCode());
        trusted.validate();
        assertEquals("200", trusted.getString("status"));
        assertNull(trusted.get("sum"));
        assertEquals(7, trusted.get("defaulted"), "an unset optional field reads as its default, as after put(null)");
        assertNull(trusted.getWithoutDefault("defaulted"));
    }

    @Test
    void aValueOfTheWrongTypeIsNotRefusedAtThePutOnlyByValidate() {
        // the contract callers take on: only values of the field's own type may be put this way
        Struct s = new Struct(SCHEMA);
        TrustedStruct.put(s, SCHEMA.field("at"), new java.util.Date(0));
        TrustedStruct.put(s, SCHEMA.field("status"), "200");
        TrustedStruct.put(s, SCHEMA.field("requests"), "not a number");
        assertThrows(DataException.class, () -> s.put("requests", "not a number"));
        assertThrows(DataException.class, s::validate);
    }
}
