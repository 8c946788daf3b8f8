package io.logbunker.connect.sink.engine;

import java.util.List;

/**
 * One record as a row of its table: values in {@link TableShape#columns()} order, or a delete of the row with
 * these key values when {@code delete} is set (a tombstone with delete.enabled). {@code buckets} are the rows the
 * record's histogram fields add to their bucket tables; they belong to the record and are written, or skipped, with it.
 */
public record MappedRow(TableShape shape, Object[] values, boolean delete, String topic, int partition, long offset,
                        List<MappedRow> buckets) {

    public MappedRow(TableShape shape, Object[] values, boolean delete, String topic, int partition, long offset) {
        this(shape, values, delete, topic, partition, offset, List.of());
    }
}
