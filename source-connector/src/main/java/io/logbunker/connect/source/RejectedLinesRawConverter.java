package io.logbunker.connect.source;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The source's value converter when {@code errors.topic} is set: a rejected line (a plain BYTES value) is written as
 * the line's own bytes, everything else (the aggregates) by a delegate converter. A connector has one value converter
 * for all its topics, so ByteArrayConverter alone cannot be used (it cannot write the aggregates' structs), and
 * JsonConverter alone writes a rejected line as base64 text inside a JSON envelope.
 *
 * <p>{@code value.converter.delegate} names the delegate (default JsonConverter); every other
 * {@code value.converter.*} setting is passed to it. Reading (toConnectData) is the delegate's.
 */
public final class RejectedLinesRawConverter implements Converter {
    public static final String DELEGATE = "delegate";
    public static final String DEFAULT_DELEGATE = "org.apache.kafka.connect.json.JsonConverter";

    private Converter delegate;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Map<String, Object> rest = new HashMap<>(configs);
        Object name = rest.remove(DELEGATE);
        String className = name == null || name.toString().isBlank() ? DEFAULT_DELEGATE : name.toString().trim();
        try {
            Class<?> c = Class.forName(className, true, RejectedLinesRawConverter.class.getClassLoader());
            delegate = (Converter) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new org.apache.kafka.common.config.ConfigException((isKey ? "key" : "value") + ".converter." + DELEGATE, className,
                    "cannot be loaded as a Converter: " + e);
        }
        delegate.configure(rest, isKey);
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        return isRawLine(schema, value) ? raw(value) : delegate().fromConnectData(topic, schema, value);
    }

    @Override
    public byte[] fromConnectData(String topic, Headers headers, Schema schema, Object value) {
        return isRawLine(schema, value) ? raw(value) : delegate().fromConnectData(topic, headers, schema, value);
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        return delegate().toConnectData(topic, value);
    }

    @Override
    public SchemaAndValue toConnectData(String topic, Headers headers, byte[] value) {
        return delegate().toConnectData(topic, headers, value);
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef().define(DELEGATE, ConfigDef.Type.CLASS, DEFAULT_DELEGATE, ConfigDef.Importance.MEDIUM,
                "The converter for every value that is not a rejected line; its own settings are given with the same prefix.");
    }

    @Override
    public void close() throws java.io.IOException {
        if (delegate != null) {
            delegate.close();
        }
    }

    private Converter delegate() {
        if (delegate == null) {
            throw new DataException("RejectedLinesRawConverter was used before it was configured");
        }
        return delegate;
    }

    private static boolean isRawLine(Schema schema, Object value) {
        return schema != null && schema.type() == Schema.Type.BYTES && schema.name() == null && value != null;
    }

    private static byte[] raw(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof ByteBuffer bb) {
            byte[] a = new byte[bb.remaining()];
            bb.duplicate().get(a);
            return a;
        }
        throw new DataException("a BYTES value must be byte[] or ByteBuffer, not " + value.getClass().getName());
    }
}
