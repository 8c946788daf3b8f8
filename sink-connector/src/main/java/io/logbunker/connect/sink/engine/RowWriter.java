package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.Dialect;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one table's merged rows inside the open transaction: deletes for tombstones, then the additive upsert, as
 * one array statement per 10,000 rows where the dialect has one (PostgreSQL's UNNEST) or multi-row VALUES statements
 * of at most batch.max.rows rows and 30,000 parameters.
 */
final class RowWriter {
    private static final int MAX_PARAMETERS = 30_000;
    private static final int ARRAY_ROWS_PER_STATEMENT = 10_000;

    private final Dialect dialect;
    private final JdbcSession session;
    private final int maxRowsPerStatement;

    RowWriter(Dialect dialect, JdbcSession session, int maxRowsPerStatement) {
        this.dialect = dialect;
        this.session = session;
        this.maxRowsPerStatement = maxRowsPerStatement;
    }

    /** Deletes the rows of tombstones (delete.enabled) before the upserts of the same batch. */
    int deleteRows(List<BatchMerger.Pending> pending) throws SQLException {
        int n = 0;
        PreparedStatement ps = null;
        for (BatchMerger.Pending p : pending) {
            if (!p.deleteFirst()) {
                continue;
            }
            if (ps == null) {
                ps = session.statement(dialect.delete(p.shape()));
            }
            List<Column> keys = p.shape().keyColumns();
            for (int i = 0; i < keys.size(); i++) {
                dialect.binder().bind(ps, i + 1, keys.get(i), p.key()[i]);
            }
            ps.addBatch();
            n++;
        }
        if (ps != null) {
            ps.executeBatch();
        }
        return n;
    }

    int upsertRows(List<BatchMerger.Pending> pending) throws SQLException {
        // rows of one table may carry different shapes after an evolve; write each shape's rows together
        Map<TableShape, List<BatchMerger.Pending>> byShape = new java.util.LinkedHashMap<>();
        for (BatchMerger.Pending p : pending) {
            if (p.values() != null) {
                byShape.computeIfAbsent(p.shape(), s -> new ArrayList<>()).add(p);
            }
        }
        int n = 0;
        for (Map.Entry<TableShape, List<BatchMerger.Pending>> e : byShape.entrySet()) {
            TableShape shape = e.getKey();
            List<BatchMerger.Pending> list = e.getValue();
            List<Column> cols = shape.columns();
            String arraySql = dialect.upsertFromArrays(shape);
            if (arraySql != null) {
                // one parameter per column for all rows: the fastest path measured on PostgreSQL
                for (int from = 0; from < list.size(); from += ARRAY_ROWS_PER_STATEMENT) {
                    List<Object[]> rows = new ArrayList<>();
                    for (int r = from; r < Math.min(list.size(), from + ARRAY_ROWS_PER_STATEMENT); r++) {
                        rows.add(list.get(r).values());
                    }
                    PreparedStatement ps = session.statement(arraySql);
                    for (int i = 0; i < cols.size(); i++) {
                        dialect.binder().bindArray(session.current(), ps, i + 1, cols.get(i), rows, i);
                    }
                    ps.executeUpdate();
                    n += rows.size();
                }
                continue;
            }
            int perStatement = Math.max(1, Math.min(maxRowsPerStatement, MAX_PARAMETERS / cols.size()));
            for (int from = 0; from < list.size(); from += perStatement) {
                int count = Math.min(perStatement, list.size() - from);
                PreparedStatement ps = session.statement(dialect.upsert(shape, count));
                int idx = 1;
                for (int r = from; r < from + count; r++) {
                    Object[] values = list.get(r).values();
                    for (int i = 0; i < cols.size(); i++) {
                        dialect.binder().bind(ps, idx++, cols.get(i), values[i]);
                    }
                }
                ps.executeUpdate();
                n += count;
            }
        }
        return n;
    }
}
