package io.logbunker.connect.sink.behaviour;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Latencies as nginx writes them (milliseconds, a log-normal body, rare multi-second outliers, zeros) and, computed
 * here on their own from the documented formula, their histogram buckets and exact nearest-rank quantiles.
 */
final class HistogramFixture {
    static final double ACCURACY = 0.01;
    static final double GAMMA = (1 + ACCURACY) / (1 - ACCURACY);
    static final double MIN_VALUE = 0.001;
    static final int ZERO = Integer.MIN_VALUE;

    static final Schema KEY = SchemaBuilder.struct().name("hk")
            .field("window_start", Timestamp.builder().parameter("merge", "key").build())
            .field("status", SchemaBuilder.string().parameter("merge", "key").build()).build();
    static final Schema VALUE = SchemaBuilder.struct().name("hv")
            .field("window_start", Timestamp.builder().parameter("merge", "key").build())
            .field("status", SchemaBuilder.string().parameter("merge", "key").build())
            .field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
            .field("request_time_histogram", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional()
                    .parameter("merge", "histogram").parameter("histogram.relative.accuracy", Double.toString(ACCURACY))
                    .parameter("histogram.min.value", Double.toString(MIN_VALUE)).build()).build();

    private HistogramFixture() {
    }

    static int bucket(double v) {
        return v < MIN_VALUE ? ZERO : (int) Math.ceil(Math.log(v) / Math.log(GAMMA));
    }

    static double representative(int bucket) {
        return bucket == ZERO ? 0 : 2 * Math.pow(GAMMA, bucket) / (1 + GAMMA);
    }

    /** {@code n} latencies in seconds with millisecond resolution. */
    static double[] latencies(Random random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double x;
            double p = random.nextDouble();
            if (p < 0.02) {
                x = 0;
            } else if (p < 0.03) {
                x = 1 + random.nextDouble() * 9; // outliers of 1 to 10 s
            } else {
                x = Math.exp(Math.log(0.05) + 0.8 * random.nextGaussian());
            }
            v[i] = new BigDecimal(x).setScale(3, java.math.RoundingMode.HALF_UP).doubleValue();
        }
        return v;
    }

    static Map<Integer, Long> histogram(double[] values, int from, int to) {
        Map<Integer, Long> h = new HashMap<>();
        for (int i = from; i < to; i++) {
            h.merge(bucket(values[i]), 1L, Long::sum);
        }
        return h;
    }

    static Struct key(long window, String status) {
        return new Struct(KEY).put("window_start", new Date(window)).put("status", status);
    }

    static Struct value(long window, String status, long requests, Map<Integer, Long> histogram) {
        return new Struct(VALUE).put("window_start", new Date(window)).put("status", status).put("requests", requests)
                .put("request_time_histogram", histogram);
    }

    /** The nearest-rank q-quantile: the smallest value whose 1-based rank in ascending order is at least q * N. */
    static double exactQuantile(List<Double> values, double q) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = Math.max(1, (int) Math.ceil(q * sorted.length));
        return sorted[rank - 1];
    }

    /** Within the relative accuracy, or 0 where the exact quantile is below the minimum value. */
    static boolean withinAccuracy(double exact, double estimate) {
        if (exact < MIN_VALUE) {
            return estimate == 0;
        }
        return Math.abs(estimate - exact) <= ACCURACY * exact * (1 + 1e-9);
    }

    static List<Double> concat(List<double[]> parts) {
        List<Double> all = new ArrayList<>();
        for (double[] p : parts) {
            Arrays.stream(p).forEach(all::add);
        }
        return all;
    }
}
