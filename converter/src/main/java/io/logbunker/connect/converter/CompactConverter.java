package io.logbunker.connect.converter;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A compact binary converter that carries the schema in every record, as JsonConverter with
 * {@code schemas.enable=true} does, without a schema registry: {@code 0x4C 0x01}, the schema's length (unsigned
 * varint), the schema ({@link CompactSchemas}) and the value written by it ({@link CompactValues}). A schema is
 * encoded once per schema object and decoded once per distinct schema bytes; per record only the value is encoded or
 * decoded, and the repeated schema bytes cost little after the producer's compression. Null is a tombstone both ways.
 */
public final class CompactConverter implements Converter, Versioned {
    static final int MAGIC = 0x4C;
    static final int FORMAT_VERSION = 1;
    private static final int CACHE_LIMIT = 256;

    private final ByteSink out = new ByteSink(1024);
    private final Map<Schema, byte[]> encodedSchemas = new IdentityHashMap<>();
    private final Map<SchemaBytes, Schema> decodedSchemas = new HashMap<>();
    private Schema lastSchema;
    private byte[] lastSchemaBytes;
    private SchemaBytes lastDecodedBytes;
    private Schema lastDecoded;

    private static final String VERSION = readVersion();

    private static String readVersion() {
        try (java.io.InputStream in = CompactConverter.class.getResourceAsStream("/logbunker-converter-version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the format has one version
    }

    @Override
    public synchronized byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (value == null) {
            return null; // a tombstone, with or without a schema
        }
        if (schema == null) {
            throw new DataException("CompactConverter writes records with a schema only; topic " + topic + " got a schemaless "
                    + value.getClass().getName() + ". Give the connector a schema, or use JsonConverter with schemas.enable=false "
                    + "for schemaless data.");
        }
        byte[] encoded = schemaBytes(schema);
        out.reset();
        out.write(MAGIC);
        out.write(FORMAT_VERSION);
        out.writeUnsignedVarint(encoded.length);
        out.write(encoded, 0, encoded.length);
        CompactValues.write(out, schema, value);
        return out.toByteArray();
    }

    private byte[] schemaBytes(Schema schema) {
        if (schema == lastSchema) {
            return lastSchemaBytes;
        }
        byte[] b = encodedSchemas.get(schema);
        if (b == null) {
            ByteSink s = new ByteSink(256);
            CompactSchemas.write(s, schema);
            b = s.toByteArray();
            if (encodedSchemas.size() >= CACHE_LIMIT) {
                encodedSchemas.clear(); // schemas created per record (a transform without a cache): bound the memory
            }
            encodedSchemas.put(schema, b);
        }
        lastSchema = schema;
        lastSchemaBytes = b;
        return b;
    }

    @Override
    public synchronized SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        if (value.length < 3 || (value[0] & 0xFF) != MAGIC) {
            throw new DataException("Not a CompactConverter record on topic " + topic + " (" + value.length + " bytes, first byte "
                    + (value.length == 0 ? "none" : String.format("0x%02X", value[0] & 0xFF)) + "): the producer used another "
                    + "converter. Set this connector's converter to the producer's, or route such records to a dead letter queue.");
        }
        if ((value[1] & 0xFF) != FORMAT_VERSION) {
            throw new DataException("CompactConverter record of format version " + (value[1] & 0xFF) + " on topic " + topic
                    + "; this converter reads version " + FORMAT_VERSION + ". Upgrade the plugin that reads it.");
        }
        ByteSource in = new ByteSource(value, 2, value.length);
        int length = in.readLength();
        Schema schema = schemaOf(value, in.pos, length);
        in.pos += length;
        Object v = CompactValues.read(in, schema);
        if (in.pos != value.length) {
            throw new DataException("Corrupt CompactConverter record on topic " + topic + ": " + (value.length - in.pos)
                    + " bytes after the value");
        }
        return new SchemaAndValue(schema, v);
    }

    private Schema schemaOf(byte[] buf, int off, int len) {
        SchemaBytes last = lastDecodedBytes;
        if (last != null && last.equals(buf, off, len)) {
            return lastDecoded;
        }
        SchemaBytes key = new SchemaBytes(Arrays.copyOfRange(buf, off, off + len));
        Schema schema = decodedSchemas.get(key);
        if (schema == null) {
            schema = CompactSchemas.read(new ByteSource(buf, off, off + len));
            if (decodedSchemas.size() >= CACHE_LIMIT) {
                decodedSchemas.clear();
            }
            decodedSchemas.put(key, schema);
        }
        lastDecodedBytes = key;
        lastDecoded = schema;
        return schema;
    }

    /** Encoded schema bytes as a map key. */
    private record SchemaBytes(byte[] bytes, int hash) {
        SchemaBytes(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        boolean equals(byte[] buf, int off, int len) {
            return Arrays.equals(bytes, 0, bytes.length, buf, off, off + len);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SchemaBytes s && s.hash == hash && Arrays.equals(s.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
