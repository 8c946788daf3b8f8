package io.logbunker.connect.source;

import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.window.AggregateRow;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;

import java.util.Date;
import java.util.List;

/**
 * The record contract: key = window_start + [host] + group-by fields; value = the key fields, window_end and
 * the metrics. Every field's schema has the parameter {@code merge} (key, sum, min, max), so a sink can derive
 * its additive upsert from the schema alone.
 */
final class AggregateSchemas {
    static final String MERGE = "merge";

    final Schema keySchema;
    final Schema valueSchema;
    private final List<String> groupBy;
    private final String host;
    private final boolean bytesSent;
    private final boolean requestTime;

    AggregateSchemas(List<String> groupBy, String host, LineFields fields) {
        this.groupBy = groupBy;
        this.host = host == null || host.isEmpty() ? null : host;
        this.bytesSent = fields.hasBytesSent();
        this.requestTime = fields.hasRequestTime();

        SchemaBuilder key = SchemaBuilder.struct().name("io.logbunker.accesslog.AggregateKey").version(1);
        SchemaBuilder value = SchemaBuilder.struct().name("io.logbunker.accesslog.Aggregate").version(1);
        for (SchemaBuilder b : List.of(key, value)) {
            b.field("window_start", Timestamp.builder().parameter(MERGE, "key").build());
            if (this.host != null) {
                b.field("host", SchemaBuilder.string().parameter(MERGE, "key").build());
            }
            for (String name : groupBy) {
                b.field(name, SchemaBuilder.string().parameter(MERGE, "key").build());
            }
        }
        value.field("window_end", Timestamp.builder().parameter(MERGE, "max").build());
        value.field("requests", SchemaBuilder.int64().parameter(MERGE, "sum").build());
        if (bytesSent) {
            value.field("bytes_sent", SchemaBuilder.int64().parameter(MERGE, "sum").build());
        }
        if (requestTime) {
            value.field("request_time_sum", SchemaBuilder.float64().optional().parameter(MERGE, "sum").build());
            value.field("request_time_min", SchemaBuilder.float64().optional().parameter(MERGE, "min").build());
            value.field("request_time_max", SchemaBuilder.float64().optional().parameter(MERGE, "max").build());
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
        if (requestTime) {
            s.put("request_time_sum", row.requestTimeSum());
            s.put("request_time_min", row.requestTimeMin());
            s.put("request_time_max", row.requestTimeMax());
        }
        return s;
    }

    private void fillKey(Struct s, AggregateRow row) {
        s.put("window_start", new Date(row.windowStart()));
        if (host != null) {
            s.put("host", host);
        }
        List<String> dims = row.dimensions();
        for (int i = 0; i < groupBy.size(); i++) {
            s.put(groupBy.get(i), dims.get(i));
        }
    }
}
