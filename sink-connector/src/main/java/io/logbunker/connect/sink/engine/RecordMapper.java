package io.logbunker.connect.sink.engine;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns records into rows by the record contract: the key Struct's fields are the primary key, the value
 * Struct's fields are the columns, and each column's merge function comes from {@code merge.fields}, else
 * from the field schema's {@code merge} parameter, else {@code replace}.
 */
public final class RecordMapper {
    public static final String MERGE_PARAMETER = "merge";
    /** The merge parameter of a batch record's value: an array of rows, each as its own record's value. */
    public static final String ROWS = "rows";
    /** Stands for the key schema of a batch's rows, whose key fields are their own {@code merge=key} fields. */
    private static final Schema BATCH_KEY = org.apache.kafka.connect.data.SchemaBuilder.struct().name("batch rows").build();

    private record ShapeKey(String table, Schema keySchema, Schema valueSchema) {
    }

    /**
     * A shape and where each of its columns is in the records of its schemas: the key's fields, then the value's
     * (null for a tombstone), looked up once per schema rather than by name per record.
     */
    private record Mapping(TableShape shape, Schema valueSchema, Field[] keyFields, Field[] valueFields) {
    }

    private final String tableFormat;
    private final Map<String, MergeFunction> mergeOverrides;
    private final boolean deleteEnabled;
    private final Map<ShapeKey, Mapping> mappings = new HashMap<>();
    private Schema lastKeySchema;
    private Schema lastValueSchema;
    private Mapping lastMapping;
    /** The relative accuracy of each histogram column ("table.column") this mapper has seen. */
    private final Map<String, Double> histogramAccuracies = new HashMap<>();

    public RecordMapper(String tableFormat, Map<String, MergeFunction> mergeOverrides, boolean deleteEnabled) {
        this.tableFormat = tableFormat;
        this.mergeOverrides = Map.copyOf(mergeOverrides);
        this.deleteEnabled = deleteEnabled;
    }

    public String tableFor(String topic) {
        return tableName(tableFormat, topic);
    }

    /** The table table.name.format {@code format} names for {@code topic}. */
    public static String tableName(String format, String topic) {
        return format.replace("${topic}", topic);
    }

    /**
     * The rows of a record: one, or those of a batch record (a value that is an array of structs whose schema has
     * {@code merge=rows}), each a row whose key fields are its fields with {@code merge=key}. The record's key is not
     * used for a batch. A bad row makes the whole record bad.
     *
     * @throws RecordMappingException when the record does not follow the contract
     */
    public List<MappedRow> mapAll(SinkRecord record) {
        if (!isBatch(record.valueSchema())) {
            return List.of(map(record));
        }
        if (!(record.value() instanceof List<?> elements)) {
            throw new RecordMappingException("the value is a " + describe(record.value()) + " where its schema says a batch (an array of rows)");
        }
        String table = tableFor(record.topic());
        List<MappedRow> out = new ArrayList<>(elements.size());
        Mapping m = null;
        for (Object e : elements) {
            if (!(e instanceof Struct row)) {
                throw new RecordMappingException("the batch holds a " + describe(e) + ", not a row Struct");
            }
            if (m == null || !m.valueSchema().equals(row.schema())) {
                m = mapping(table, BATCH_KEY, row.schema());
            }
            out.add(new MappedRow(m.shape(), values(m, row, row), false, record.originalTopic(), record.originalKafkaPartition(),
                    record.originalKafkaOffset()));
        }
        return out;
    }

    private static boolean isBatch(Schema s) {
        return s != null && s.type() == Schema.Type.ARRAY && s.parameters() != null
                && ROWS.equals(s.parameters().get(MERGE_PARAMETER));
    }

    /**
     * The table comes from the record's topic as the SMTs left it; the row's Kafka coordinates, which the offsets
     * ledger keys on, are the consumer's (before any SMT renamed the topic).
     *
     * @throws RecordMappingException when the record does not follow the contract
     */
    public MappedRow map(SinkRecord record) {
        if (record.key() == null) {
            throw new RecordMappingException("the record has no key; the key Struct gives the primary-key columns");
        }
        if (!(record.key() instanceof Struct) || record.keySchema() == null || record.keySchema().type() != Schema.Type.STRUCT) {
            throw new RecordMappingException("the key is a " + describe(record.key()) + ", not a Struct with a schema; use a "
                    + "converter that keeps schemas (e.g. JsonConverter with schemas.enable=true, Avro, Protobuf)");
        }
        Struct key = (Struct) record.key();
        String table = tableFor(record.topic());
        if (record.value() == null) {
            if (!deleteEnabled) {
                throw new RecordMappingException("the value is null (a tombstone); set delete.enabled=true to delete the row "
                        + "with this key, or keep tombstones off this topic");
            }
            Mapping m = mapping(table, key.schema(), null);
            Object[] values = new Object[m.shape().columns().size()];
            fillKey(m, key, values);
            return new MappedRow(m.shape(), values, true, record.originalTopic(), record.originalKafkaPartition(), record.originalKafkaOffset());
        }
        if (!(record.value() instanceof Struct) || record.valueSchema() == null) {
            throw new RecordMappingException("the value is a " + describe(record.value()) + ", not a Struct with a schema");
        }
        Struct value = (Struct) record.value();
        Mapping m = mapping(table, key.schema(), value.schema());
        return new MappedRow(m.shape(), values(m, key, value), false, record.originalTopic(), record.originalKafkaPartition(),
                record.originalKafkaOffset());
    }

    /** The row's values in the shape's column order: the key's fields from {@code key}, the rest from {@code value}. */
    private static Object[] values(Mapping m, Struct key, Struct value) {
        List<Column> cols = m.shape().columns();
        Object[] values = new Object[cols.size()];
        int k = fillKey(m, key, values);
        Field[] fields = m.valueFields();
        for (int i = k; i < cols.size(); i++) {
            Column c = cols.get(i);
            Object v = value.get(fields[i - k]);
            // a histogram field's schema is a map (deriveShape checked it), so Struct.put let only a map in
            values[i] = c.merge() == MergeFunction.HISTOGRAM ? HistogramCounts.of(c.name(), (Map<?, ?>) v) : v;
        }
        return values;
    }

    private static int fillKey(Mapping m, Struct key, Object[] values) {
        Field[] fields = m.keyFields();
        for (int i = 0; i < fields.length; i++) {
            Object v = key.get(fields[i]);
            if (v == null) {
                throw new RecordMappingException("key field '" + fields[i].name() + "' is null; primary-key values must be set");
            }
            values[i] = v;
        }
        return fields.length;
    }

    private Mapping mapping(String table, Schema keySchema, Schema valueSchema) {
        // converters hand out one schema instance per distinct schema, and a schema's hash walks all its fields: the
        // previous record's mapping is checked by identity first
        if (lastMapping != null && keySchema == lastKeySchema && valueSchema == lastValueSchema && table.equals(lastMapping.shape().table())) {
            return lastMapping;
        }
        ShapeKey sk = new ShapeKey(table, keySchema, valueSchema);
        Mapping m = mappings.get(sk);
        if (m == null) {
            // a batch's rows carry their key among their fields
            Schema rowKey = keySchema == BATCH_KEY ? keyOfRow(valueSchema) : keySchema;
            TableShape shape = deriveShape(table, rowKey, valueSchema);
            int keys = shape.keyCount();
            Field[] keyFields = new Field[keys];
            Field[] valueFields = new Field[shape.columns().size() - keys];
            for (int i = 0; i < shape.columns().size(); i++) {
                String name = shape.columns().get(i).name();
                if (i < keys) {
                    keyFields[i] = (keySchema == BATCH_KEY ? valueSchema : keySchema).field(name);
                } else {
                    valueFields[i - keys] = valueSchema.field(name);
                }
            }
            m = new Mapping(shape, valueSchema, keyFields, valueFields);
            mappings.put(sk, m);
        }
        lastKeySchema = keySchema;
        lastValueSchema = valueSchema;
        lastMapping = m;
        return m;
    }

    /** A batch row's key: its fields whose merge function is {@code key}, in their order. */
    private Schema keyOfRow(Schema row) {
        if (row.type() != Schema.Type.STRUCT) {
            throw new RecordMappingException("a batch's row is a " + row.type() + ", not a Struct");
        }
        org.apache.kafka.connect.data.SchemaBuilder key = org.apache.kafka.connect.data.SchemaBuilder.struct();
        for (Field f : row.fields()) {
            if (mergeOf(f) == MergeFunction.KEY) {
                key.field(f.name(), f.schema());
            }
        }
        if (key.fields().isEmpty()) {
            throw new RecordMappingException("the rows of the batch have no field with merge=key, so there is no primary key");
        }
        return key.build();
    }

    TableShape deriveShape(String table, Schema keySchema, Schema valueSchema) {
        List<Column> columns = new ArrayList<>();
        if (keySchema.fields().isEmpty()) {
            throw new RecordMappingException("the key Struct has no fields, so there is no primary key");
        }
        for (Field f : keySchema.fields()) {
            checkType(f, true);
            columns.add(new Column(f.name(), f.schema(), MergeFunction.KEY));
        }
        if (valueSchema != null) {
            if (valueSchema.type() != Schema.Type.STRUCT) {
                throw new RecordMappingException("the value schema is " + valueSchema.type() + ", not a Struct");
            }
            for (Field f : valueSchema.fields()) {
                Field keyField = keySchema.field(f.name());
                MergeFunction merge = mergeOf(f);
                if (keyField != null) {
                    continue; // the value repeats the key field; the key is authoritative
                }
                if (merge == MergeFunction.KEY) {
                    throw new RecordMappingException("value field '" + f.name() + "' has merge=key but the record key has no such "
                            + "field; key columns come from the key Struct");
                }
                if (merge == MergeFunction.HISTOGRAM) {
                    checkAccuracy(table, f.name(), HistogramBuckets.of(f.name(), f.schema()).relativeAccuracy());
                    columns.add(new Column(f.name(), f.schema(), merge));
                    continue;
                }
                checkType(f, false);
                if (merge == MergeFunction.SUM && !isNumeric(f.schema())) {
                    throw new RecordMappingException("value field '" + f.name() + "' has merge=sum but is " + typeName(f.schema()));
                }
                if ((merge == MergeFunction.MIN || merge == MergeFunction.MAX) && f.schema().type() == Schema.Type.BYTES
                        && !Decimal.LOGICAL_NAME.equals(f.schema().name())) {
                    throw new RecordMappingException("value field '" + f.name() + "' has merge=" + merge.configName()
                            + " but bytes cannot be compared");
                }
                columns.add(new Column(f.name(), f.schema(), merge));
            }
        }
        return new TableShape(table, List.copyOf(columns));
    }

    /**
     * Buckets of two widths cannot be added: a histogram column takes one relative accuracy, the first this task sees.
     * (The database does not record it; the README asks for a new table when the accuracy changes.)
     */
    private void checkAccuracy(String table, String field, double accuracy) {
        Double first = histogramAccuracies.putIfAbsent(table + "." + field, accuracy);
        if (first != null && first != accuracy) {
            throw new RecordMappingException("histogram field '" + field + "' has relative accuracy " + accuracy + " but column "
                    + field + " of table " + table + " holds buckets of accuracy " + first + "; buckets of two widths cannot be "
                    + "merged: send histograms of another accuracy to another table");
        }
    }

    private MergeFunction mergeOf(Field f) {
        MergeFunction override = mergeOverrides.get(f.name());
        if (override != null) {
            return override;
        }
        Map<String, String> params = f.schema().parameters();
        String p = params == null ? null : params.get(MERGE_PARAMETER);
        if (p == null) {
            return MergeFunction.REPLACE;
        }
        try {
            return MergeFunction.parse(p);
        } catch (IllegalArgumentException e) {
            throw new RecordMappingException("field '" + f.name() + "': " + e.getMessage());
        }
    }

    private static void checkType(Field f, boolean key) {
        Schema.Type t = f.schema().type();
        if (t == Schema.Type.STRUCT || t == Schema.Type.ARRAY || t == Schema.Type.MAP) {
            throw new RecordMappingException((key ? "key" : "value") + " field '" + f.name() + "' is a " + t
                    + "; only primitive and logical types map to columns (flatten it with the Flatten SMT)");
        }
    }

    private static boolean isNumeric(Schema s) {
        if (Decimal.LOGICAL_NAME.equals(s.name())) {
            return true;
        }
        if (Timestamp.LOGICAL_NAME.equals(s.name()) || Date.LOGICAL_NAME.equals(s.name()) || Time.LOGICAL_NAME.equals(s.name())) {
            return false;
        }
        switch (s.type()) {
            case INT8:
            case INT16:
            case INT32:
            case INT64:
            case FLOAT32:
            case FLOAT64:
                return true;
            default:
                return false;
        }
    }

    static String typeName(Schema s) {
        return s.name() != null ? s.name() : s.type().getName();
    }

    private static String describe(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName();
    }

    /** For logs and messages. */
    @Override
    public String toString() {
        return "RecordMapper[" + tableFormat + ", " + Objects.toString(mergeOverrides) + "]";
    }
}
