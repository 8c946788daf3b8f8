package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.HistogramBuckets;

import java.util.ArrayList;
import java.util.List;

/**
 * Percentile queries over a histogram column (see {@link HistogramBuckets}), one text for all three databases except
 * how the column's pairs become rows and how {@code window_start} is cut to an hour or a day.
 *
 * <p>Quantiles are nearest-rank: the q-quantile of N values is the smallest value whose rank (1-based, ascending)
 * is at least {@code q * N}; the query returns the representative value {@code 2 gamma^i / (1 + gamma)} of the bucket
 * {@code i} holding it, so it is within the histogram's relative accuracy of the exact quantile (or 0, below the
 * histogram's minimum value, when it falls into the zero bucket). The buckets of all selected windows and groups are
 * summed first, so the quantile is that of the union of their values: the correct way to merge, where averaging
 * per-window percentiles is not.
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
     * @param table       the table, e.g. {@code access_metrics}
     * @param column      the histogram column, e.g. {@code request_time_histogram}
     * @param accuracy    the histogram's relative accuracy (its schema parameter {@code histogram.relative.accuracy})
     * @param equal       columns compared with {@code = ?} (one window and group: window_start and every key column)
     * @param windowRange whether windows are selected by {@code window_start >= ? AND window_start < ?}
     * @param groupBy     key columns that become output rows of their own (empty: one quantile over everything selected)
     * @param period      the period of window_start that becomes output rows of its own
     */
    public static String render(Dialect d, String table, String column, double accuracy, List<String> equal, boolean windowRange,
                                List<String> groupBy, Period period) {
        List<String> parts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        if (period != Period.NONE) {
            parts.add(d.truncateWindowStart("t." + d.quote("window_start"), period) + " AS period_start");
            names.add("period_start");
        }
        for (String g : groupBy) {
            parts.add("t." + d.quote(g) + " AS " + d.quote(g));
            names.add(d.quote(g));
        }
        List<String> where = new ArrayList<>();
        for (String e : equal) {
            where.add("t." + d.quote(e) + " = ?");
        }
        if (windowRange) {
            where.add("t." + d.quote("window_start") + " >= ?");
            where.add("t." + d.quote("window_start") + " < ?");
        }
        Dialect.HistogramPairs pairs = d.histogramPairs(column);
        double gamma = new HistogramBuckets(accuracy).gamma();
        String partition = names.isEmpty() ? "" : "PARTITION BY " + String.join(", ", names) + " ";
        String select = names.isEmpty() ? "" : String.join(", ", names) + ", ";
        StringBuilder sb = new StringBuilder();
        sb.append("SELECT ").append(select).append("CASE WHEN MIN(hb) = ").append(HistogramBuckets.ZERO_BUCKET)
                .append(" THEN 0 ELSE 2 * POWER(").append(gamma).append(", MIN(hb)) / ").append(1 + gamma).append(" END AS quantile FROM (")
                .append("SELECT ").append(select).append("hb, ")
                .append("SUM(hn) OVER (").append(partition).append("ORDER BY hb ROWS UNBOUNDED PRECEDING) AS running, ")
                .append("SUM(hn) OVER (").append(partition.trim()).append(") AS total FROM (")
                .append("SELECT ").append(parts.isEmpty() ? "" : String.join(", ", parts) + ", ")
                .append(pairs.bucket()).append(" AS hb, SUM(").append(pairs.count()).append(") AS hn FROM ")
                .append(d.quote(table)).append(" AS t ").append(pairs.join());
        if (!where.isEmpty()) {
            sb.append(" WHERE ").append(String.join(" AND ", where));
        }
        sb.append(" GROUP BY ").append(select).append("hb) AS b) AS r WHERE running >= ? * total");
        if (!names.isEmpty()) {
            sb.append(" GROUP BY ").append(String.join(", ", names)).append(" ORDER BY ").append(String.join(", ", names));
        }
        return sb.toString();
    }
}
