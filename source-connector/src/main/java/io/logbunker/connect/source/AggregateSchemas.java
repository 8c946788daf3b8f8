package io.logbunker.connect.source;

import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.LogLinearBuckets;
import io.logbunker.connect.source.window.MetricSpec;
import io.logbunker.connect.source.window.MetricValues;
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

    final Schema keySchema;
    final Schema valueSchema;
    /** The key fields of a row in order: the file's (host, path dimensions), then group-by fields. */
    private final List<String> dimensionNames;
    private final boolean bytesSent;
    private final MetricSpec metrics;

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
    }

    Struct key(AggregateRow row) {
        Struct s = new Struct(keySchema);
        fillKey(s, row);
        return s;
    }

    Struct value(AggregateRow row) {
        Struct s = new Struct(valueSchema);
        fillKey(s, row);
        s.put("window_end", new Date(row.windowEnd()));
        s.put("requests", row.requests());
        if (bytesSent) {
            s.put("bytes_sent", row.bytesSent());
        }
        List<MetricSpec.Metric> list = metrics.metrics();
        for (int i = 0; i < list.size(); i++) {
            MetricSpec.Metric m = list.get(i);
            MetricValues v = row.metrics().get(i);
            if (v.count() == 0) {
                continue; // no line had a value: the fields stay null, which never erases a stored value
            }
            if (m.sum()) {
                s.put(m.field("sum"), number(m, v.sum(), row));
            }
            if (m.min()) {
                s.put(m.field("min"), number(m, v.min(), row));
            }
            if (m.max()) {
                s.put(m.field("max"), number(m, v.max(), row));
            }
            if (m.histogram()) {
                s.put(m.field("histogram"), v.histogram());
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

    private void fillKey(Struct s, AggregateRow row) {
        s.put("window_start", new Date(row.windowStart()));
        List<String> dims = row.dimensions();
        for (int i = 0; i < dimensionNames.size(); i++) {
            s.put(dimensionNames.get(i), dims.get(i));
        }
    }
}
