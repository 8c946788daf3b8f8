package io.logbunker.connect.source;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RejectedLinesRawConverterTest {
    private static RejectedLinesRawConverter converter(Map<String, String> config) {
        RejectedLinesRawConverter c = new RejectedLinesRawConverter();
        c.configure(config, false);
        return c;
    }

    @Test
    void aRejectedLineIsWrittenAsItsOwnBytesAndAnAggregateByTheDelegate() {
        RejectedLinesRawConverter c = converter(Map.of("schemas.enable", "false"));
        byte[] line = {'G', 'E', 'T', ' ', (byte) 0x16, (byte) 0x03, (byte) 0xff};
        assertArrayEquals(line, c.fromConnectData("errors", Schema.BYTES_SCHEMA, line));
        assertArrayEquals(line, c.fromConnectData("errors", Schema.OPTIONAL_BYTES_SCHEMA, ByteBuffer.wrap(line)));
        Schema s = SchemaBuilder.struct().field("requests", Schema.INT64_SCHEMA).build();
        byte[] json = c.fromConnectData("metrics", s, new Struct(s).put("requests", 3L));
        assertEquals("{\"requests\":3}", new String(json, StandardCharsets.UTF_8));
        assertEquals(3L, ((Map<?, ?>) c.toConnectData("metrics", json).value()).get("requests"));
    }

    @Test
    void theDelegateGetsItsOwnSettingsAndABadOneIsAConfigError() {
        RejectedLinesRawConverter c = converter(Map.of("delegate", "org.apache.kafka.connect.storage.StringConverter"));
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), c.fromConnectData("t", Schema.STRING_SCHEMA, "x"));
        ConfigException e = assertThrows(ConfigException.class, () -> converter(Map.of("delegate", "no.such.Converter")));
        assertEquals(true, e.getMessage().contains("value.converter.delegate"), e.getMessage());
    }
}
