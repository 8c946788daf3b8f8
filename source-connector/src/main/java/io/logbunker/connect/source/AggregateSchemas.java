package io.logbunker.connect.source;

import io.logbunker.connect.converter.TrustedStruct;
import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.LogLinearBuckets;
import io.logbunker.connect.source.window.MetricSpec;
import io.logbunker.connect.source.window.MetricValues;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;

import java.util.Date;
import java.util.List;

/**
 * The record contract: key = window_start + [host] + [path dimensions] + group-by fields; value = the key fields, window_end, requests,
 * bytes_sent and the metrics of the {@link MetricSpec} ({@code <variable>_sum}, {@code _min}, {@code _max}: float64
 * for seconds, int64 for whole numbers, null when no line of the row had a value; {@code <variable>_histogram}: a map
 * from bucket index to count, see {@link LogLinearBuckets}). Every field's schema has the parameter {@code merge}
 * (key, sum, min, max, histogram), so a sink can derive its additive upsert from the schema alone.
 */
final class AggregateSchemas {
    static final String MERGE = "merge";
    static final String HISTOGRAM_ACCURACY = "histogram.relative.accuracy";
    static final String HISTOGRAM_MIN_VALUE = "histogram.min.value";

    /** The {@code merge} parameter of a batch record's value: an array of rows. */
    static final String ROWS = "rows";

    final Schema keySchema;
    final Schema valueSchema;
    /**
     * A record of several rows: an array of {@link #valueSchema}, marked by its {@code merge} parameter. An array, not a
     * struct holding one: putting an array into a struct validates every row again, which cost more than building it.
     */
    final Schema batchSchema;
    /** The key fields of a row in order: the file's (host, path dimensions), then group-by fields. */
    private final List<String> dimensionNames;
    private final boolean bytesSent;
    private final MetricSpec metrics;
    private static final int SUM = 0;
    private static final int MIN = 1;
    private static final int MAX = 2;
    private static final int HISTOGRAM = 3;
    private final Field[] keyFields;
    private final Field[] valueKeyFields;
    private final Field windowEndField;
    private final Field requestsField;
    private final Field bytesSentField;
    /** Per metric: its sum, min, max and histogram fields, null where the metric has not that aggregate. */
    private final Field[][] metricFields;

    /** @param fileDimensions the key fields each file gives its rows ({@code FileDimensions#names()}), host first */
    AggregateSchemas(List<String> fileDimensions, List<String> groupBy, LineFields fields, MetricSpec metrics) {
        List<String> names = new java.util.ArrayList<>(fileDimensions);
        names.addAll(groupBy);
        this.dimensionNames = List.copyOf(names);
        this.bytesSent = fields.hasBytesSent();
        this.metrics = metrics;

        SchemaBuilder key = SchemaBuilder.struct().name("io.logbunker.accesslog.AggregateKey").version(1);
        SchemaBuilder value = SchemaBuilder.struct().name("io.logbunker.accesslog.Aggregate").version(1);
        for (SchemaBuilder b : List.of(key, value)) {
            b.field("window_start", Timestamp.builder().parameter(MERGE, "key").build());
            for (String name : dimensionNames) {
                b.field(name, SchemaBuilder.string().parameter(MERGE, "key").build());
            }
        }
        value.field("window_end", Timestamp.builder().parameter(MERGE, "max").build());
        value.field("requests", SchemaBuilder.int64().parameter(MERGE, "sum").build());
        if (bytesSent) {
            value.field("bytes_sent", SchemaBuilder.int64().parameter(MERGE, "sum").build());
        }
        for (MetricSpec.Metric m : metrics.metrics()) {
            for (String aggregate : List.of("sum", "min", "max")) {
                if (m.wants(aggregate)) {
                    value.field(m.field(aggregate), (m.decimal() ? SchemaBuilder.float64() : SchemaBuilder.int64()).optional()
                            .parameter(MERGE, aggregate).build());
                }
            }
            if (m.histogram()) {
                value.field(m.field("histogram"), SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional()
                        .parameter(MERGE, "histogram")
                        .parameter(HISTOGRAM_ACCURACY, Double.toString(metrics.relativeAccuracy()))
                        .parameter(HISTOGRAM_MIN_VALUE, Double.toString(metrics.minValue())).build());
            }
        }
        this.keySchema = key.build();
        this.valueSchema = value.build();
        this.batchSchema = SchemaBuilder.array(valueSchema).name("io.logbunker.accesslog.AggregateBatch").version(1)
                .parameter(MERGE, ROWS).build();
        // the fields looked up once: per row, a lookup by name and a name built per metric would cost more than the puts
        this.keyFields = keyFields(keySchema);
        this.valueKeyFields = keyFields(valueSchema);
        this.windowEndField = valueSchema.field("window_end");
        this.requestsField = valueSchema.field("requests");
        this.bytesSentField = bytesSent ? valueSchema.field("bytes_sent") : null;
        this.metricFields = new Field[metrics.metrics().size()][];
        for (int i = 0; i < metricFields.length; i++) {
            MetricSpec.Metric m = metrics.metrics().get(i);
            metricFields[i] = new Field[4];
            String[] aggregates = {"sum", "min", "max", "histogram"};
            for (int a = 0; a < aggregates.length; a++) {
                metricFields[i][a] = m.wants(aggregates[a]) ? valueSchema.field(m.field(aggregates[a])) : null;
            }
        }
    }

    private Field[] keyFields(Schema schema) {
        Field[] fields = new Field[1 + dimensionNames.size()];
        fields[0] = schema.field("window_start");
        for (int i = 0; i < dimensionNames.size(); i++) {
            fields[i + 1] = schema.field(dimensionNames.get(i));
        }
        return fields;
    }

    Struct key(AggregateRow row) {
        return key(row, new Date(row.windowStart()));
    }

    /** @param windowStart the row's window start, which the key and the value share */
    Struct key(AggregateRow row, Date windowStart) {
        Struct s = new Struct(keySchema);
        fillKey(s, keyFields, row, windowStart);
        return s;
    }

    /** Every value is built of its field's type (a required one never null), so it skips Struct.put's check. */
    Struct value(AggregateRow row, Date windowStart) {
        Struct s = new Struct(valueSchema);
        fillKey(s, valueKeyFields, row, windowStart);
        TrustedStruct.put(s, windowEndField, new Date(row.windowEnd()));
        TrustedStruct.put(s, requestsField, row.requests());
        if (bytesSentField != null) {
            TrustedStruct.put(s, bytesSentField, row.bytesSent());
        }
        List<MetricSpec.Metric> list = metrics.metrics();
        for (int i = 0; i < list.size(); i++) {
            MetricSpec.Metric m = list.get(i);
            MetricValues v = row.metrics().get(i);
            if (v.count() == 0) {
                continue; // no line had a value: the fields stay null, which never erases a stored value
            }
            Field[] f = metricFields[i];
            if (f[SUM] != null) {
                TrustedStruct.put(s, f[SUM], number(m, v.sum(), row));
            }
            if (f[MIN] != null) {
                TrustedStruct.put(s, f[MIN], number(m, v.min(), row));
            }
            if (f[MAX] != null) {
                TrustedStruct.put(s, f[MAX], number(m, v.max(), row));
            }
            if (f[HISTOGRAM] != null) {
                TrustedStruct.put(s, f[HISTOGRAM], v.histogram());
            }
        }
        return s;
    }

    /** Whole numbers are summed in a double, which is exact up to 2^53: beyond, the task stops rather than round. */
    private static Object number(MetricSpec.Metric m, double v, AggregateRow row) {
        if (m.decimal()) {
            return v;
        }
        if (v > 9_007_199_254_740_992.0) {
            throw new IllegalStateException("The sum of $" + m.variable() + " in the window starting at "
                    + java.time.Instant.ofEpochMilli(row.windowStart()) + " is above 2^53, which cannot be real; the task stops rather "
                    + "than write a rounded sum. Exclude the file (files.exclude) or remove its lines with such values, then restart.");
        }
        return (long) v;
    }

    /** {@code fields}: window_start, then the dimensions in order, as fields of the struct's schema. */
    private static void fillKey(Struct s, Field[] fields, AggregateRow row, Date windowStart) {
        TrustedStruct.put(s, fields[0], windowStart);
        List<String> dims = row.dimensions();
        for (int i = 1; i < fields.length; i++) {
            TrustedStruct.put(s, fields[i], dims.get(i - 1));
        }
    }
}
