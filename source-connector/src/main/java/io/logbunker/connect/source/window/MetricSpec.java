package io.logbunker.connect.source.window;

import io.logbunker.connect.source.format.LogFormat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the {@code metrics} setting asks for: per numeric variable of the log format, which of {@code sum},
 * {@code min}, {@code max} and {@code histogram} each record carries. Written
 * {@code request_time:sum,min,max,histogram;upstream_response_time:max,histogram} (the {@code ;} may also be a
 * {@code ,}: a name followed by {@code :} starts the next variable). Empty means the historic contract:
 * {@code request_time:sum,min,max} when the format has {@code $request_time}, nothing otherwise.
 */
public record MetricSpec(List<Metric> metrics, double relativeAccuracy, double minValue) {

    /** Variables measured in seconds, written by nginx with up to three decimals. */
    public static final Set<String> SECONDS = Set.of("request_time", "upstream_response_time", "upstream_connect_time",
            "upstream_header_time", "upstream_queue_time", "msec");
    /** Variables that are whole numbers (bytes, counts). */
    public static final Set<String> WHOLE = Set.of("request_length", "bytes_sent", "body_bytes_sent", "upstream_response_length",
            "upstream_bytes_received", "upstream_bytes_sent", "connection_requests", "content_length", "bytes_received");

    /** One variable and its aggregates; {@code decimal} when its values are seconds rather than whole numbers. */
    public record Metric(String variable, boolean decimal, boolean sum, boolean min, boolean max, boolean histogram) {
        public String field(String aggregate) {
            return variable + "_" + aggregate;
        }

        public boolean wants(String aggregate) {
            switch (aggregate) {
                case "sum":
                    return sum;
                case "min":
                    return min;
                case "max":
                    return max;
                default:
                    return histogram;
            }
        }
    }

    /** The record fields these metrics add, e.g. request_time_sum, in the order the record has them. */
    public List<String> fields() {
        List<String> out = new java.util.ArrayList<>();
        for (Metric m : metrics) {
            for (String a : List.of("sum", "min", "max", "histogram")) {
                if (m.wants(a)) {
                    out.add(m.field(a));
                }
            }
        }
        return out;
    }

    public static MetricSpec parse(String text, LogFormat format, double relativeAccuracy, double minValue) {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
            throw new IllegalArgumentException("the histogram's relative accuracy must be above 0 and below 1, not " + relativeAccuracy);
        }
        if (!(minValue > 0)) {
            throw new IllegalArgumentException("the histogram's minimum value must be above 0, not " + minValue);
        }
        if (text == null || text.isBlank()) {
            List<Metric> defaults = format.has("request_time")
                    ? List.of(new Metric("request_time", true, true, true, true, false)) : List.of();
            return new MetricSpec(defaults, relativeAccuracy, minValue);
        }
        Map<String, List<String>> byVariable = new LinkedHashMap<>();
        String current = null;
        for (String raw : text.split("[;,]")) {
            String token = raw.trim();
            if (token.isEmpty()) {
                continue;
            }
            int colon = token.indexOf(':');
            String aggregate = token;
            if (colon >= 0) {
                current = token.substring(0, colon).trim();
                if (current.startsWith("$")) {
                    current = current.substring(1);
                }
                aggregate = token.substring(colon + 1).trim();
                if (byVariable.containsKey(current)) {
                    throw new IllegalArgumentException("'" + current + "' is listed twice; give all its aggregates in one entry");
                }
                checkVariable(current, format);
                byVariable.put(current, new ArrayList<>());
            } else if (current == null) {
                throw new IllegalArgumentException("'" + token + "' has no variable; write variable:aggregate,... "
                        + "(e.g. request_time:sum,max,histogram)");
            }
            String a = aggregate.toLowerCase(Locale.ROOT);
            if (!List.of("sum", "min", "max", "histogram").contains(a)) {
                throw new IllegalArgumentException("'" + aggregate + "' (for " + current + ") is not an aggregate; use sum, min, max "
                        + "or histogram");
            }
            if (byVariable.get(current).contains(a)) {
                throw new IllegalArgumentException("'" + a + "' is listed twice for " + current);
            }
            byVariable.get(current).add(a);
        }
        List<Metric> metrics = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byVariable.entrySet()) {
            List<String> a = e.getValue();
            if (a.isEmpty()) {
                throw new IllegalArgumentException("'" + e.getKey() + "' has no aggregates; add e.g. :sum");
            }
            metrics.add(new Metric(e.getKey(), SECONDS.contains(e.getKey()), a.contains("sum"), a.contains("min"), a.contains("max"),
                    a.contains("histogram")));
        }
        return new MetricSpec(List.copyOf(metrics), relativeAccuracy, minValue);
    }

    private static void checkVariable(String name, LogFormat format) {
        if (!SECONDS.contains(name) && !WHOLE.contains(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a numeric nginx variable this connector can aggregate; use one of "
                    + String.join(", ", new java.util.TreeSet<>(SECONDS)) + " (seconds) or "
                    + String.join(", ", new java.util.TreeSet<>(WHOLE)) + " (whole numbers)");
        }
        if (!format.has(name)) {
            throw new IllegalArgumentException("'" + name + "' is not in log.format; add $" + name + " to nginx's log_format and to log.format");
        }
    }
}
