package io.logbunker.connect.converter;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value in the compact format, written by its schema alone: an optional schema's value starts with 0 (null) or 1;
 * int8 is one byte, int16 two bytes big-endian, int32 and int64 zigzag varints, float32 and float64 IEEE 754
 * big-endian, boolean one byte, string and bytes a varint length and the bytes (UTF-8), an array or map a varint
 * count and its elements (a map's as key, value), a struct its fields in schema order. Connect's logical types are
 * written as their base type (Date: days as int32, Time: milliseconds as int32, Timestamp: milliseconds as int64,
 * Decimal: the unscaled two's complement bytes, the scale in the schema's parameters).
 */
final class CompactValues {
    private CompactValues() {
    }

    static void write(ByteSink out, Schema schema, Object value) {
        if (value == null) {
            if (schema.defaultValue() != null) {
                value = schema.defaultValue();
            } else if (schema.isOptional()) {
                out.write(0);
                return;
            } else {
                throw new DataException("A null value for a required field of schema " + describe(schema));
            }
        }
        if (schema.isOptional()) {
            out.write(1);
        }
        String logical = schema.name();
        if (logical != null) {
            switch (logical) {
                case Timestamp.LOGICAL_NAME -> value = Timestamp.fromLogical(schema, (java.util.Date) value);
                case Date.LOGICAL_NAME -> value = Date.fromLogical(schema, (java.util.Date) value);
                case Time.LOGICAL_NAME -> value = Time.fromLogical(schema, (java.util.Date) value);
                case Decimal.LOGICAL_NAME -> value = Decimal.fromLogical(schema, (BigDecimal) value);
                default -> {
                }
            }
        }
        try {
            switch (schema.type()) {
                case INT8 -> out.write((Byte) value);
                case INT16 -> out.writeFixed((Short) value, 2);
                case INT32 -> out.writeZigZag((Integer) value);
                case INT64 -> out.writeZigZag((Long) value);
                case FLOAT32 -> out.writeFixed(Float.floatToIntBits((Float) value), 4);
                case FLOAT64 -> out.writeFixed(Double.doubleToLongBits((Double) value), 8);
                case BOOLEAN -> out.write((Boolean) value ? 1 : 0);
                case STRING -> out.writeString((String) value);
                case BYTES -> {
                    if (value instanceof ByteBuffer bb) {
                        byte[] b = new byte[bb.remaining()];
                        bb.duplicate().get(b);
                        out.writeBytes(b);
                    } else {
                        out.writeBytes((byte[]) value);
                    }
                }
                case ARRAY -> {
                    Collection<?> c = (Collection<?>) value;
                    out.writeUnsignedVarint(c.size());
                    for (Object e : c) {
                        write(out, schema.valueSchema(), e);
                    }
                }
                case MAP -> {
                    Map<?, ?> m = (Map<?, ?>) value;
                    out.writeUnsignedVarint(m.size());
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        write(out, schema.keySchema(), e.getKey());
                        write(out, schema.valueSchema(), e.getValue());
                    }
                }
                case STRUCT -> {
                    Struct s = (Struct) value;
                    for (Field f : schema.fields()) {
                        write(out, f.schema(), s.get(f));
                    }
                }
                default -> throw new DataException("The compact converter has no encoding for schema type " + schema.type());
            }
        } catch (ClassCastException e) {
            throw new DataException("A value of " + value.getClass().getName() + " does not match its schema " + describe(schema), e);
        }
    }

    static Object read(ByteSource in, Schema schema) {
        if (schema.isOptional() && in.read() == 0) {
            return null;
        }
        Object value = switch (schema.type()) {
            case INT8 -> (byte) in.read();
            case INT16 -> (short) in.readFixed(2);
            case INT32 -> (int) in.readZigZag();
            case INT64 -> in.readZigZag();
            case FLOAT32 -> Float.intBitsToFloat((int) in.readFixed(4));
            case FLOAT64 -> Double.longBitsToDouble(in.readFixed(8));
            case BOOLEAN -> in.read() != 0;
            case STRING -> in.readString();
            case BYTES -> in.readBytes();
            case ARRAY -> {
                int n = in.readLength();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(read(in, schema.valueSchema()));
                }
                yield list;
            }
            case MAP -> {
                int n = in.readLength();
                Map<Object, Object> map = new LinkedHashMap<>(Math.max(4, n * 4 / 3 + 1));
                for (int i = 0; i < n; i++) {
                    Object k = read(in, schema.keySchema());
                    map.put(k, read(in, schema.valueSchema()));
                }
                yield map;
            }
            case STRUCT -> {
                Struct s = new Struct(schema);
                for (Field f : schema.fields()) {
                    // the decoder yields each field's own Java type, and null only for an optional field
                    TrustedStruct.put(s, f, read(in, f.schema()));
                }
                yield s;
            }
            default -> throw new DataException("The compact converter has no encoding for schema type " + schema.type());
        };
        String logical = schema.name();
        if (logical != null) {
            switch (logical) {
                case Timestamp.LOGICAL_NAME -> value = Timestamp.toLogical(schema, (Long) value);
                case Date.LOGICAL_NAME -> value = Date.toLogical(schema, (Integer) value);
                case Time.LOGICAL_NAME -> value = Time.toLogical(schema, (Integer) value);
                case Decimal.LOGICAL_NAME -> value = Decimal.toLogical(schema, (byte[]) value);
                default -> {
                }
            }
        }
        return value;
    }

    private static String describe(Schema schema) {
        return schema.type() + (schema.name() == null ? "" : " " + schema.name());
    }
}
