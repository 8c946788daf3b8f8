package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.BulkInsert;
import io.logbunker.connect.sink.dialect.Dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Savepoint;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one table's merged rows inside the open transaction: deletes for tombstones, then the additive upsert, as
 * one array statement per 10,000 rows where the dialect has one (PostgreSQL's UNNEST; tried as a plain INSERT first)
 * or multi-row VALUES statements of at most batch.max.rows rows and 30,000 parameters.
 */
final class RowWriter {
    private static final int MAX_PARAMETERS = 30_000;
    private static final int ARRAY_ROWS_PER_STATEMENT = 10_000;
    private static final int MAX_SKIP = 64;

    private final Dialect dialect;
    private final JdbcSession session;
    private final int maxRowsPerStatement;
    private final Map<String, Backoff> backoffs = new java.util.HashMap<>();

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
                dialect.binder().bind(ps, i + 1, keys.get(i), p.keyValue(i));
            }
            ps.addBatch();
            n++;
        }
        if (ps != null) {
            ps.executeBatch();
        }
        return n;
    }

    /**
     * Where the dialect has a plain array INSERT, tries it first under a savepoint (or its bulk load, PostgreSQL's
     * COPY, where the table's column types allow): when every row is new (a high cardinality table, where each row
     * is written once) it costs the database a fraction of the upsert. The first existing row fails it (a unique
     * violation); the savepoint undoes it and the caller upserts. A table whose rows existed skips the attempt for its
     * next 1, 2, 4 ... 64 statements, so tables of re-merged rows pay it rarely.
     *
     * @return whether the rows were inserted
     */
    private boolean insertedAsNew(TableShape shape, List<Object[]> rows) throws SQLException {
        String insertSql = dialect.insertFromArrays(shape);
        if (insertSql == null) {
            return false;
        }
        Backoff b = backoffs.computeIfAbsent(shape.table(), t -> new Backoff());
        if (b.skip > 0) {
            b.skip--;
            return false;
        }
        Connection c = session.current();
        BulkInsert bulk = dialect.bulkInsert();
        Savepoint savepoint = c.setSavepoint();
        try {
            if (bulk == null || !bulk.insert(c, shape, rows)) {
                execute(insertSql, shape.columns(), rows);
            }
        } catch (SQLException e) {
            if (!dialect.isUniqueViolation(e)) {
                throw e;
            }
            c.rollback(savepoint);
            b.next = Math.min(MAX_SKIP, Math.max(1, b.next * 2));
            b.skip = b.next;
            return false;
        }
        c.releaseSavepoint(savepoint);
        b.next = 0;
        return true;
    }

    private static final class Backoff {
        int next;
        int skip;
    }

    private void execute(String sql, List<Column> cols, List<Object[]> rows) throws SQLException {
        PreparedStatement ps = session.statement(sql);
        for (int i = 0; i < cols.size(); i++) {
            dialect.binder().bindArray(session.current(), ps, i + 1, cols.get(i), rows, i);
        }
        ps.executeUpdate();
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
                    if (!insertedAsNew(shape, rows)) {
                        execute(arraySql, cols, rows);
                    }
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
