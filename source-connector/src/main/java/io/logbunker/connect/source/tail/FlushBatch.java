package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.AggregateRow;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything one file emits at one flush point: every complete line in {@code [startPosition, endPosition)}
 * is in exactly one row or is one rejected line. All records made from it carry {@code endPosition}.
 */
public record FlushBatch(String identity, Path path, long startPosition, long endPosition, String check,
                         List<AggregateRow> rows, List<RejectedLine> rejects) {
}
