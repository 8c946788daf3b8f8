package io.logbunker.connect.source.window;

import java.util.HashMap;
import java.util.Map;

/**
 * One metric of one partial aggregate: how many lines had a value, their sum, min and max, and the histogram's
 * non-empty buckets (null when the metric has no histogram or no value).
 */
public record MetricValues(long count, double sum, double min, double max, Map<Integer, Long> histogram) {

    /** Both partials' values together (for rows folded into one, e.g. the __other__ group). */
    public MetricValues plus(MetricValues o) {
        Map<Integer, Long> h = histogram;
        if (o.histogram != null) {
            h = histogram == null ? new HashMap<>() : new HashMap<>(histogram);
            for (Map.Entry<Integer, Long> e : o.histogram.entrySet()) {
                h.merge(e.getKey(), e.getValue(), Long::sum);
            }
        }
        return new MetricValues(count + o.count, sum + o.sum, Math.min(min, o.min), Math.max(max, o.max), h);
    }
}
