package io.logbunker.connect.sink;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MappedRow;
import io.logbunker.connect.sink.engine.TableShape;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.data.Timestamp;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * The sink task's plugin metrics (JMX {@code kafka.connect:type=plugins,connector=...,task=...}): rows written, and the
 * newest {@code window_start} committed to the table, so that a dashboard can show how far behind the log the table is
 * (window to table) next to the source's newest window emitted.
 */
final class SinkTaskMetrics implements AutoCloseable {
    private final PluginMetrics metrics;
    private final MetricName newestWindow;
    private final MetricName rowsWritten;
    private volatile long newestWindowStart = -1;
    private volatile long rows;
    /** Only the task's thread calls {@link #written}. */
    private TableShape lastShape;
    private int lastWindowStartIndex = -1;

    SinkTaskMetrics(PluginMetrics metrics) {
        this.metrics = metrics;
        this.newestWindow = metrics.metricName("last-written-window-start-ms", "Newest window_start (epoch ms) committed to the "
                + "table, -1 before the first (records without a window_start timestamp key do not count).", new LinkedHashMap<>());
        this.rowsWritten = metrics.metricName("rows-written-total", "Rows upserted into the tables.",
                new LinkedHashMap<>());
        metrics.addMetric(newestWindow, (Gauge<Long>) (c, now) -> newestWindowStart);
        metrics.addMetric(rowsWritten, (Gauge<Long>) (c, now) -> rows);
    }

    /** After a committed write of {@code batch}. */
    void written(List<MappedRow> batch, int rowsUpserted) {
        long newest = newestWindowStart;
        for (MappedRow r : batch) {
            int i = windowStartIndex(r.shape());
            if (i >= 0 && r.values()[i] instanceof java.util.Date d) {
                newest = Math.max(newest, d.getTime());
            }
        }
        newestWindowStart = newest;
        rows += rowsUpserted;
    }

    /** The key column window_start (a Timestamp) of the shape, or -1; looked up once per shape, as rows share few. */
    private int windowStartIndex(TableShape shape) {
        if (shape != lastShape) {
            lastShape = shape;
            lastWindowStartIndex = -1;
            List<Column> cols = shape.columns();
            for (int i = 0; i < cols.size() && cols.get(i).isKey(); i++) {
                if (cols.get(i).name().equals("window_start") && Timestamp.LOGICAL_NAME.equals(cols.get(i).schema().name())) {
                    lastWindowStartIndex = i;
                    break;
                }
            }
        }
        return lastWindowStartIndex;
    }

    @Override
    public void close() {
        metrics.removeMetric(newestWindow);
        metrics.removeMetric(rowsWritten);
    }
}
