package io.logbunker.connect.source.window;

import java.util.List;

/**
 * One partial aggregate: the metrics of the lines of one window and group within one emitted byte range.
 * Request-time fields are null when the group saw no request time.
 */
public record AggregateRow(long windowStart, long windowEnd, List<String> dimensions, long requests, long bytesSent,
                           Double requestTimeSum, Double requestTimeMin, Double requestTimeMax) {
}
