package io.logbunker.connect.source;

import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.MetricSpec;
import io.logbunker.connect.source.window.MetricValues;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.util.Date;
import java.util.List;

/**
 * Per-ad rows as the source connector builds them ({@code group.by=status,arg_ev,arg_ad}, the default metrics, no
 * host), so that a benchmark of the sink reads the record contract the source writes and cannot drift from it. It
 * lives in the source's package for {@link AggregateSchemas}, which is not public.
 */
public final class PerAdRows {
    private final AggregateSchemas schemas;

    /** @param logFormat an nginx {@code log_format} with {@code $status}, {@code $request} and {@code $request_time} */
    public PerAdRows(String logFormat) {
        LogFormat format = LogFormat.compile(logFormat);
        this.schemas = new AggregateSchemas(List.of(), List.of("status", "arg_ev", "arg_ad"), new LineFields(format),
                MetricSpec.parse("", format, 0.01, 0.001));
    }

    /** A row's value schema. */
    public Schema rowSchema() {
        return schemas.valueSchema;
    }

    /** The value schema of a record of several rows ({@code rows.per.record} above 1). */
    public Schema batchSchema() {
        return schemas.batchSchema;
    }

    /** One row whose lines all took {@code requestTime} seconds. */
    public Struct row(long windowStart, long windowEnd, String status, String event, String ad, long requests, long bytesSent,
                      double requestTime) {
        MetricValues time = new MetricValues(requests, requestTime * requests, requestTime, requestTime, null);
        AggregateRow row = new AggregateRow(windowStart, windowEnd, List.of(status, event, ad), requests, bytesSent, List.of(time));
        return schemas.value(row, new Date(windowStart));
    }
}
