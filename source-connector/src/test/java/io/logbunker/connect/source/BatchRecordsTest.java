package io.logbunker.connect.source;

import io.logbunker.connect.converter.CompactConverter;
import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.MetricSpec;
import io.logbunker.connect.source.window.MetricValues;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchRecordsTest {
    private static final String FORMAT = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\" $request_time \"$upstream_response_time\"";

    private static AggregateRow row(String ev, int... bucketsPerHistogram) {
        List<MetricValues> metrics = new ArrayList<>();
        for (int n : bucketsPerHistogram) {
            Map<Integer, Long> h = new LinkedHashMap<>();
            for (int b = 0; b < n; b++) {
                h.put(b - n / 2, 1_000L + b);
            }
            metrics.add(new MetricValues(n, 1.0, 0.001, 60.0, h));
        }
        return new AggregateRow(1_795_860_000_000L, 1_795_860_010_000L, List.of("200", ev), 10, 100, metrics);
    }

    private static List<Integer> sizes(List<List<AggregateRow>> records) {
        return records.stream().map(List::size).toList();
    }

    private static List<AggregateRow> joined(List<List<AggregateRow>> records) {
        return records.stream().flatMap(List::stream).toList();
    }

    @Test
    void rowsGoOutInOrderAtMostRowsPerRecordAtATime() {
        List<AggregateRow> rows = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            rows.add(row("e" + i));
        }
        List<List<AggregateRow>> records = BatchRecords.split(rows, 3, BatchRecords.MAX_BYTES);
        assertEquals(List.of(3, 3, 1), sizes(records));
        assertEquals(rows, joined(records));
    }

    @Test
    void aRecordEndsBeforeTheRowThatWouldTakeItPastTheBound() {
        List<AggregateRow> rows = List.of(row("a", 300, 100), row("b", 400), row("c", 300), row("d", 10), row("e", 300));
        int bound = BatchRecords.estimate(rows.get(0)) + BatchRecords.estimate(rows.get(1)) + 100;
        List<List<AggregateRow>> records = BatchRecords.split(rows, 500, bound);
        assertEquals(List.of(2, 3), sizes(records), "a and b, then c + d + e, which are smaller");
        assertEquals(rows, joined(records));
    }

    @Test
    void aRowAboveTheBoundGoesOutAloneRatherThanNotAtAll() {
        List<AggregateRow> rows = List.of(row("a", 10), row("b", 1_200), row("c", 10));
        List<List<AggregateRow>> records = BatchRecords.split(rows, 500, BatchRecords.estimate(rows.get(1)) - 1);
        assertEquals(List.of(1, 1, 1), sizes(records));
        assertEquals(rows, joined(records));
    }

    @Test
    void theEstimateGrowsWithDimensionValuesAndBuckets() {
        assertTrue(BatchRecords.estimate(row("a-much-longer-event-name")) > BatchRecords.estimate(row("a")));
        assertEquals(BatchRecords.estimate(row("a")) + 16 * 30, BatchRecords.estimate(row("a", 10, 20)));
    }

    @Test
    void wideHistogramsAndLongValuesMakeRecordsBelowTheProducersDefaultMaxRequestSizeInEitherConverter() {
        // two histograms of 1,100 buckets each: wider than 1% accuracy makes from 1 ms to a day
        MetricSpec metrics = MetricSpec.parse("request_time:sum,min,max,histogram;upstream_response_time:max,histogram",
                LogFormat.compile(FORMAT), 0.01, 0.001);
        AggregateSchemas schemas = new AggregateSchemas(List.of(), List.of("status", "arg_ev"), new LineFields(LogFormat.compile(FORMAT)),
                metrics);
        List<AggregateRow> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rows.add(row("event-" + i, 1_100, 1_100));
        }
        for (int i = 0; i < 500; i++) { // and rows of long values, say request URIs of 4 KB
            rows.add(row("e".repeat(4_000) + i, 1, 1));
        }
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true", "converter.type", "value"));
        CompactConverter compact = new CompactConverter();
        List<List<AggregateRow>> records = BatchRecords.split(rows, 500, BatchRecords.MAX_BYTES);
        assertTrue(records.size() > 2, "500 rows of either kind are more than one record");
        for (List<AggregateRow> part : records) {
            List<Struct> values = new ArrayList<>();
            for (AggregateRow r : part) {
                values.add(schemas.value(r, new java.util.Date(r.windowStart())));
            }
            for (Converter c : List.of(json, compact)) {
                int bytes = c.fromConnectData("t", schemas.batchSchema, values).length;
                assertTrue(bytes < 1_000_000, c.getClass().getSimpleName() + " made a record of " + bytes + " bytes");
            }
        }
    }
}
