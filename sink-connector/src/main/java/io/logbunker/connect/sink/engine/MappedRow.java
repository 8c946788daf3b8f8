package io.logbunker.connect.sink.engine;

/**
 * One record as a row of its table: values in {@link TableShape#columns()} order, or a delete of the row with
 * these key values when {@code delete} is set (a tombstone with delete.enabled). A histogram column's value is a
 * {@link HistogramCounts}.
 */
public record MappedRow(TableShape shape, Object[] values, boolean delete, String topic, int partition, long offset) {
}
