package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.HistogramBuckets;

import java.util.ArrayList;
import java.util.List;

/**
 * Percentile queries over a histogram's bucket table (see {@link HistogramBuckets}), one text for all three databases
 * except the truncation of {@code window_start} to an hour or a day.
 *
 * <p>Quantiles are nearest-rank: the q-quantile of N values is the smallest value whose rank (1-based, ascending)
 * is at least {@code q * N}; the query returns the representative value of the bucket holding it, so it is within
 * the histogram's relative accuracy of the exact quantile (or below the histogram's minimum value when it falls into
 * the zero bucket). The buckets of all selected windows and groups are summed first, so the quantile is that of the
 * union of their values: the correct way to merge, where averaging per-window percentiles is not.
 *
 * <p>Parameters, in order: one per column of {@code equal}, then {@code window_start >= ?} and
 * {@code window_start < ?} when {@code windowRange}, then q (a number from 0 to 1).
 */
public final class QuantileSql {
    /** How {@code window_start} is cut into periods that become output rows. */
    public enum Period { NONE, HOUR, DAY }

    private QuantileSql() {
    }

    /**
     * @param table       the bucket table, e.g. {@code access_metrics_request_time_histogram}
     * @param equal       columns compared with {@code = ?} (one window and group: window_start and every key column)
     * @param windowRange whether windows are selected by {@code window_start >= ? AND window_start < ?}
     * @param groupBy     key columns that become output rows of their own (empty: one quantile over everything selected)
     * @param period      the period of window_start that becomes output rows of its own
     */
    public static String render(Dialect d, String table, List<String> equal, boolean windowRange, List<String> groupBy, Period period) {
        List<String> parts = new ArrayList<>();
        if (period != Period.NONE) {
            parts.add(d.truncateWindowStart(d.quote("window_start"), period) + " AS period_start");
        }
        for (String g : groupBy) {
            parts.add(d.quote(g));
        }
        List<String> names = new ArrayList<>();
        if (period != Period.NONE) {
            names.add("period_start");
        }
        for (String g : groupBy) {
            names.add(d.quote(g));
        }
        List<String> where = new ArrayList<>();
        for (String e : equal) {
            where.add(d.quote(e) + " = ?");
        }
        if (windowRange) {
            where.add(d.quote("window_start") + " >= ?");
            where.add(d.quote("window_start") + " < ?");
        }
        String bucket = d.quote(HistogramBuckets.BUCKET);
        String partition = names.isEmpty() ? "" : "PARTITION BY " + String.join(", ", names) + " ";
        String select = names.isEmpty() ? "" : String.join(", ", names) + ", ";
        StringBuilder sb = new StringBuilder();
        sb.append("SELECT ").append(select).append("MIN(bucket_value) AS quantile FROM (")
                .append("SELECT ").append(select).append("bucket_value, ")
                .append("SUM(n) OVER (").append(partition).append("ORDER BY ").append(bucket).append(" ROWS UNBOUNDED PRECEDING) AS running, ")
                .append("SUM(n) OVER (").append(partition.trim()).append(") AS total FROM (")
                .append("SELECT ").append(parts.isEmpty() ? "" : String.join(", ", parts) + ", ").append(bucket).append(", ")
                .append("MAX(").append(d.quote(HistogramBuckets.BUCKET_VALUE)).append(") AS bucket_value, ")
                .append("SUM(").append(d.quote(HistogramBuckets.BUCKET_COUNT)).append(") AS n FROM ").append(d.quote(table));
        if (!where.isEmpty()) {
            sb.append(" WHERE ").append(String.join(" AND ", where));
        }
        sb.append(" GROUP BY ").append(select).append(bucket).append(") b) r WHERE running >= ? * total");
        if (!names.isEmpty()) {
            sb.append(" GROUP BY ").append(String.join(", ", names)).append(" ORDER BY ").append(String.join(", ", names));
        }
        return sb.toString();
    }
}
