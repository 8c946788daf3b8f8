package io.logbunker.connect.converter;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Puts values into a {@link Struct} without {@link Struct#put(Field, Object)}'s check of each value, for code whose
 * values match their field's schema by construction: the source's rows and this converter's decoder, which only
 * produce a field's own Java type, and null only for an optional field.
 *
 * <p>Why: in Kafka 4 the check ({@code ConnectSchema.validateValue(String, Schema, Object)}) concatenates the field's
 * name into its error text before it checks anything, so every field of every row allocates a string. At hundreds
 * of thousands of rows a second that was the largest single cost of building and decoding rows, on both sides of the
 * topic (BENCHMARKS.md section 17).
 *
 * <p>How: the value goes into the struct's own value array, reached through a {@link VarHandle} found once. Where this
 * Kafka's {@code Struct} has no such array, {@link #put} falls back to {@code Struct.put}: correct, only slower.
 * {@code TrustedStructTest} fails on such a Kafka, so the fallback never goes unnoticed.
 */
public final class TrustedStruct {
    private static final VarHandle VALUES = find();

    private TrustedStruct() {
    }

    private static VarHandle find() {
        try {
            return MethodHandles.privateLookupIn(Struct.class, MethodHandles.lookup()).findVarHandle(Struct.class, "values", Object[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** True when puts go straight into the struct's value array; false on a Kafka whose Struct has none. */
    public static boolean direct() {
        return VALUES != null;
    }

    /** {@code struct.put(field, value)} without the check; {@code field} must be a field of the struct's schema. */
    public static void put(Struct struct, Field field, Object value) {
        if (VALUES == null) {
            struct.put(field, value);
            return;
        }
        ((Object[]) VALUES.get(struct))[field.index()] = value;
    }
}
