package io.logbunker.connect.sink.engine;

import org.apache.kafka.connect.data.Schema;

import java.util.Map;

/**
 * The histogram part of the record contract. A field with {@code merge=histogram} is a map from bucket index (int32)
 * to count (int64) of a log-linear histogram with relative accuracy {@code a} (schema parameter
 * {@code histogram.relative.accuracy}): with {@code gamma = (1 + a) / (1 - a)}, bucket {@code i} holds the values
 * {@code v} in {@code (gamma^(i-1), gamma^i]}, that is {@code i = ceil(ln(v) / ln(gamma))}, and bucket
 * {@link #ZERO_BUCKET} holds zero and the values below {@code histogram.min.value}. Every value of bucket {@code i} is
 * within {@code a} (relative) of {@code 2 gamma^i / (1 + gamma)}, the value a quantile in that bucket is reported as.
 *
 * <p>The sink stores such a field in a column of the row's own table, named after the field, as the JSON text
 * {@code [[bucket,count],...]} of the non-empty buckets ({@code JSON} on PostgreSQL and MariaDB/MySQL,
 * {@code TEXT} on SQLite). An upsert merges the stored and the incoming pairs in SQL, adding the counts of equal
 * buckets, so histograms of partial windows, late lines, hosts and tasks merge exactly, bucket by bucket.
 */
public final class HistogramBuckets {
    public static final String ACCURACY_PARAMETER = "histogram.relative.accuracy";
    public static final String MIN_VALUE_PARAMETER = "histogram.min.value";
    /** The bucket of zero and of the values below the histogram's minimum value. */
    public static final int ZERO_BUCKET = Integer.MIN_VALUE;

    private final double relativeAccuracy;
    private final double gamma;

    public HistogramBuckets(double relativeAccuracy) {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
            throw new IllegalArgumentException("the relative accuracy must be between 0 and 1 (exclusive), not " + relativeAccuracy);
        }
        this.relativeAccuracy = relativeAccuracy;
        this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    }

    /** The histogram of a field schema, or an explanation of why it is not one. */
    public static HistogramBuckets of(String field, Schema schema) {
        if (schema.type() != Schema.Type.MAP || schema.keySchema().type() != Schema.Type.INT32
                || schema.valueSchema().type() != Schema.Type.INT64) {
            throw new RecordMappingException("value field '" + field + "' has merge=histogram but is not a map from int32 bucket "
                    + "index to int64 count");
        }
        Map<String, String> params = schema.parameters();
        String a = params == null ? null : params.get(ACCURACY_PARAMETER);
        if (a == null) {
            throw new RecordMappingException("histogram field '" + field + "' has no schema parameter " + ACCURACY_PARAMETER
                    + ", so its buckets cannot be read");
        }
        try {
            return new HistogramBuckets(Double.parseDouble(a));
        } catch (IllegalArgumentException e) {
            throw new RecordMappingException("histogram field '" + field + "': " + ACCURACY_PARAMETER + " '" + a + "': " + e.getMessage());
        }
    }

    public double relativeAccuracy() {
        return relativeAccuracy;
    }

    public double gamma() {
        return gamma;
    }
}
