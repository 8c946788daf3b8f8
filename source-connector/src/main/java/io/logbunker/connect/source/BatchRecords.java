package io.logbunker.connect.source;

import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.MetricValues;

import java.util.ArrayList;
import java.util.List;

/**
 * How a flush's rows are cut into batch records ({@code rows.per.record} above 1): in order, at most that many rows
 * per record, and rows of at most {@link #MAX_BYTES} by {@link #estimate}, so that neither long dimension values nor
 * wide histograms can make a record larger than the producer's {@code max.request.size} (1 MiB by default). A row
 * always goes out, even alone above the bound.
 */
final class BatchRecords {
    /** Half the producer's default max.request.size: the estimate is rough, the margin is not. */
    static final int MAX_BYTES = 512 * 1024;

    private BatchRecords() {
    }

    static List<List<AggregateRow>> split(List<AggregateRow> rows, int maxRows, int maxBytes) {
        List<List<AggregateRow>> records = new ArrayList<>();
        int from = 0;
        while (from < rows.size()) {
            int to = from;
            long bytes = 0;
            while (to < rows.size() && to - from < maxRows) {
                int b = estimate(rows.get(to));
                if (to > from && bytes + b > maxBytes) {
                    break;
                }
                bytes += b;
                to++;
            }
            records.add(rows.subList(from, to));
            from = to;
        }
        return records;
    }

    /**
     * A row's size as JsonConverter writes it, the larger of the converters: its field names and numbers (512 bytes
     * covers a row with every metric), its dimension values (two bytes a character: UTF-8 and escapes) and 16 bytes a
     * histogram bucket ({@code [-123,4567],}). CompactConverter writes about a quarter of that.
     */
    static int estimate(AggregateRow row) {
        int n = 512;
        for (String d : row.dimensions()) {
            n += 2 * d.length();
        }
        for (MetricValues m : row.metrics()) {
            if (m.histogram() != null) {
                n += 16 * m.histogram().size();
            }
        }
        return n;
    }
}
