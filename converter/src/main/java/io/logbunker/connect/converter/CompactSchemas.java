package io.logbunker.connect.converter;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.errors.DataException;

import java.util.Map;

/**
 * A Connect schema in the compact format: {@code type flags [name] [version] [doc] [parameters] [default] body}. The
 * type is one byte (see {@link #code}); the flags say which optional parts follow (1 optional, 2 name, 4 version,
 * 8 doc, 16 parameters, 32 default); the body of a struct is its field count and each field's name and schema, of an
 * array its element schema, of a map its key and value schemas. Everything Connect's schema holds survives the trip.
 */
final class CompactSchemas {
    private static final int OPTIONAL = 1;
    private static final int NAME = 2;
    private static final int VERSION = 4;
    private static final int DOC = 8;
    private static final int PARAMETERS = 16;
    private static final int DEFAULT = 32;
    private static final Schema.Type[] TYPES = {null, Schema.Type.INT8, Schema.Type.INT16, Schema.Type.INT32, Schema.Type.INT64,
        Schema.Type.FLOAT32, Schema.Type.FLOAT64, Schema.Type.BOOLEAN, Schema.Type.STRING, Schema.Type.BYTES, Schema.Type.ARRAY,
        Schema.Type.MAP, Schema.Type.STRUCT};

    private CompactSchemas() {
    }

    static int code(Schema.Type type) {
        for (int i = 1; i < TYPES.length; i++) {
            if (TYPES[i] == type) {
                return i;
            }
        }
        throw new DataException("The compact converter has no encoding for schema type " + type);
    }

    static void write(ByteSink out, Schema schema) {
        int flags = (schema.isOptional() ? OPTIONAL : 0) | (schema.name() != null ? NAME : 0) | (schema.version() != null ? VERSION : 0)
                | (schema.doc() != null ? DOC : 0) | (schema.parameters() != null && !schema.parameters().isEmpty() ? PARAMETERS : 0)
                | (schema.defaultValue() != null ? DEFAULT : 0);
        out.write(code(schema.type()));
        out.write(flags);
        if ((flags & NAME) != 0) {
            out.writeString(schema.name());
        }
        if ((flags & VERSION) != 0) {
            out.writeZigZag(schema.version());
        }
        if ((flags & DOC) != 0) {
            out.writeString(schema.doc());
        }
        if ((flags & PARAMETERS) != 0) {
            out.writeUnsignedVarint(schema.parameters().size());
            for (Map.Entry<String, String> e : schema.parameters().entrySet()) {
                out.writeString(e.getKey());
                out.writeString(e.getValue());
            }
        }
        switch (schema.type()) {
            case STRUCT -> {
                out.writeUnsignedVarint(schema.fields().size());
                for (Field f : schema.fields()) {
                    out.writeString(f.name());
                    write(out, f.schema());
                }
            }
            case ARRAY -> write(out, schema.valueSchema());
            case MAP -> {
                write(out, schema.keySchema());
                write(out, schema.valueSchema());
            }
            default -> {
            }
        }
        if ((flags & DEFAULT) != 0) {
            // after the body: a struct's default needs its fields
            CompactValues.write(out, schema, schema.defaultValue());
        }
    }

    static Schema read(ByteSource in) {
        int code = in.read();
        if (code < 1 || code >= TYPES.length) {
            throw new DataException("Corrupt compact record: unknown schema type code " + code + " at byte " + (in.pos - 1));
        }
        int flags = in.read();
        Schema.Type type = TYPES[code];
        SchemaBuilder b = switch (type) {
            case STRUCT, ARRAY, MAP -> null;
            default -> new SchemaBuilder(type);
        };
        String name = (flags & NAME) != 0 ? in.readString() : null;
        Integer version = (flags & VERSION) != 0 ? (int) in.readZigZag() : null;
        String doc = (flags & DOC) != 0 ? in.readString() : null;
        Map<String, String> parameters = null;
        if ((flags & PARAMETERS) != 0) {
            int n = in.readLength();
            parameters = new java.util.LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                parameters.put(in.readString(), in.readString());
            }
        }
        if (type == Schema.Type.STRUCT) {
            b = SchemaBuilder.struct();
            int n = in.readLength();
            for (int i = 0; i < n; i++) {
                b.field(in.readString(), read(in));
            }
        } else if (type == Schema.Type.ARRAY) {
            b = SchemaBuilder.array(read(in));
        } else if (type == Schema.Type.MAP) {
            Schema key = read(in);
            b = SchemaBuilder.map(key, read(in));
        }
        if (name != null) {
            b.name(name);
        }
        if (version != null) {
            b.version(version);
        }
        if (doc != null) {
            b.doc(doc);
        }
        if (parameters != null) {
            b.parameters(parameters);
        }
        if ((flags & OPTIONAL) != 0) {
            b.optional();
        }
        if ((flags & DEFAULT) != 0) {
            b.defaultValue(CompactValues.read(in, b.build()));
        }
        return b.build();
    }
}
