package io.logbunker.connect.source.window;

import java.util.List;

/**
 * One partial aggregate: the metrics of the lines of one window and group within one emitted byte range, with one
 * {@link MetricValues} per metric of the {@link MetricSpec}, in its order.
 */
public record AggregateRow(long windowStart, long windowEnd, List<String> dimensions, long requests, long bytesSent,
                           List<MetricValues> metrics) {
}
