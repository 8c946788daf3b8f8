package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.Dialect;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes batches of rows and the Kafka offsets they come from in one database transaction.
 *
 * <p>Exactly once: inside the transaction the offset row of every partition in the batch is locked and read
 * first; records below the stored next offset were already applied (a redelivery, a commit whose outcome was
 * unknown, or a zombie's successor having gone ahead) and are skipped; the rest are merged, upserted and the
 * offset row moves to the batch's end. Two tasks writing one partition serialize on the offset row, and the
 * later one skips what the earlier one wrote, so a zombie can never apply a record twice or move the offset
 * backwards.
 */
public final class AggregateWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AggregateWriter.class);
    private static final int MAX_PARAMETERS = 30_000;
    private static final int ARRAY_ROWS_PER_STATEMENT = 10_000;

    /** Opens a new JDBC connection. */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /** What one write did. */
    public record Outcome(int rowsUpserted, int rowsDeleted, int recordsApplied, int recordsSkipped) {
    }

    private final Dialect dialect;
    private final ConnectionFactory factory;
    private final String connectorName;
    private final String offsetsTable;
    private final TableManager tables;
    private final int maxRowsPerStatement;
    private final int conflictRetries;

    private Connection conn;
    private boolean offsetsTableReady;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /** Next offset per partition as last read from or committed to the database by this writer. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final BatchMerger merger = new BatchMerger();

    public AggregateWriter(Dialect dialect, ConnectionFactory factory, String connectorName, String offsetsTable, boolean autoCreate,
                           boolean autoEvolve, int maxRowsPerStatement, int conflictRetries) {
        this.dialect = dialect;
        this.factory = factory;
        this.connectorName = connectorName;
        this.offsetsTable = offsetsTable;
        this.tables = new TableManager(dialect, autoCreate, autoEvolve);
        this.maxRowsPerStatement = maxRowsPerStatement;
        this.conflictRetries = conflictRetries;
        dialect.validateIdentifier(offsetsTable);
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * Makes sure the offset rows of these partitions exist and returns their stored next offsets (-1: none yet).
     */
    public Map<TopicPartition, Long> open(Collection<TopicPartition> partitions) throws SQLException {
        Connection c = connection();
        c.setAutoCommit(true);
        Map<TopicPartition, Long> stored = new HashMap<>();
        try (PreparedStatement insert = c.prepareStatement(dialect.insertOffsetIfAbsent(offsetsTable));
             PreparedStatement read = c.prepareStatement(dialect.readOffset(offsetsTable))) {
            for (TopicPartition tp : sorted(partitions)) {
                bindPartition(insert, 1, tp);
                insert.executeUpdate();
                bindPartition(read, 1, tp);
                try (ResultSet rs = read.executeQuery()) {
                    long next = rs.next() ? rs.getLong(1) : -1;
                    stored.put(tp, next);
                    committed.put(tp, next);
                }
            }
        }
        return stored;
    }

    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(committed::remove);
    }

    /** Next offsets committed to the database, for partitions this writer has seen. */
    public Map<TopicPartition, Long> committedOffsets() {
        return Map.copyOf(committed);
    }

    /** True when this record was already applied, as far as this writer knows. */
    public boolean alreadyApplied(TopicPartition tp, long offset) {
        Long next = committed.get(tp);
        return next != null && offset < next;
    }

    /**
     * Writes rows and moves each partition's offset to {@code batchEnds} (its highest offset + 1, counting records
     * that were not rows, e.g. sent to the DLQ) in one transaction. Deadlocks and serialization failures retry
     * the whole transaction.
     *
     * @throws SQLException when the transaction failed; nothing of it is committed
     */
    public Outcome write(List<MappedRow> rows, Map<TopicPartition, Long> batchEnds) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try {
                return writeOnce(rows, batchEnds);
            } catch (SQLException e) {
                rollbackQuietly();
                if (dialect.isTransactionConflict(e) && !dialect.isConnectionProblem(e) && attempt < conflictRetries) {
                    log.info("Transaction conflict ({}), retrying the whole transaction (attempt {} of {})", e.getMessage(),
                            attempt + 1, conflictRetries);
                    sleepQuietly(Math.min(1000, 20L << attempt));
                    continue;
                }
                throw e;
            }
        }
    }

    private Outcome writeOnce(List<MappedRow> rows, Map<TopicPartition, Long> batchEnds) throws SQLException {
        Connection c = connection();
        for (MappedRow r : rows) {
            tables.ensure(c, r.shape());
        }
        c.setAutoCommit(false);
        Map<TopicPartition, Long> stored = new TreeMap<>(PARTITION_ORDER);
        try (PreparedStatement lock = c.prepareStatement(dialect.lockOffset(offsetsTable))) {
            for (TopicPartition tp : sorted(batchEnds.keySet())) {
                bindPartition(lock, 1, tp);
                long next;
                try (ResultSet rs = lock.executeQuery()) {
                    next = rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
                }
                if (next == Long.MIN_VALUE) {
                    try (PreparedStatement insert = c.prepareStatement(dialect.insertOffsetIfAbsent(offsetsTable))) {
                        bindPartition(insert, 1, tp);
                        insert.executeUpdate();
                    }
                    try (ResultSet rs = lock.executeQuery()) {
                        next = rs.next() ? rs.getLong(1) : -1;
                    }
                }
                Long believed = committed.get(tp);
                if (believed != null && next != believed) {
                    log.warn("The stored offset of {} is {} but this task last saw {}: another task (a zombie or a successor "
                            + "after a rebalance) wrote it. Records below {} are skipped, so nothing is applied twice.", tp, next,
                            believed, next);
                }
                stored.put(tp, next);
            }
        }
        merger.clear();
        int applied = 0;
        int skipped = 0;
        for (MappedRow r : rows) {
            long next = stored.getOrDefault(new TopicPartition(r.topic(), r.partition()), -1L);
            if (r.offset() < next) {
                skipped++;
                continue;
            }
            merger.add(r);
            applied++;
        }
        int upserted = 0;
        int deleted = 0;
        for (Map.Entry<String, List<BatchMerger.Pending>> e : merger.sortedByTable().entrySet()) {
            List<BatchMerger.Pending> pending = e.getValue();
            deleted += deleteRows(c, pending);
            upserted += upsertRows(c, pending);
        }
        Map<TopicPartition, Long> newNext = new HashMap<>();
        try (PreparedStatement update = c.prepareStatement(dialect.updateOffset(offsetsTable))) {
            for (Map.Entry<TopicPartition, Long> e : stored.entrySet()) {
                long end = batchEnds.get(e.getKey());
                if (end > e.getValue()) {
                    update.setLong(1, end);
                    bindPartition(update, 2, e.getKey());
                    if (update.executeUpdate() != 1) {
                        throw new SQLException("offset row of " + e.getKey() + " vanished during the transaction");
                    }
                    newNext.put(e.getKey(), end);
                } else {
                    newNext.put(e.getKey(), e.getValue());
                }
            }
        }
        c.commit();
        // back to autocommit: sqlite-jdbc would otherwise open the next IMMEDIATE transaction at once and hold the
        // database's write lock between batches
        c.setAutoCommit(true);
        committed.putAll(newNext);
        merger.clear();
        return new Outcome(upserted, deleted, applied, skipped);
    }

    private int deleteRows(Connection c, List<BatchMerger.Pending> pending) throws SQLException {
        int n = 0;
        PreparedStatement ps = null;
        for (BatchMerger.Pending p : pending) {
            if (!p.deleteFirst()) {
                continue;
            }
            if (ps == null) {
                ps = statement(c, dialect.delete(p.shape()));
            }
            List<Column> keys = p.shape().keyColumns();
            for (int i = 0; i < keys.size(); i++) {
                dialect.bind(ps, i + 1, keys.get(i), p.key()[i]);
            }
            ps.addBatch();
            n++;
        }
        if (ps != null) {
            ps.executeBatch();
        }
        return n;
    }

    private int upsertRows(Connection c, List<BatchMerger.Pending> pending) throws SQLException {
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
                    PreparedStatement ps = statement(c, arraySql);
                    for (int i = 0; i < cols.size(); i++) {
                        dialect.bindArray(c, ps, i + 1, cols.get(i), rows, i);
                    }
                    ps.executeUpdate();
                    n += rows.size();
                }
                continue;
            }
            int perStatement = Math.max(1, Math.min(maxRowsPerStatement, MAX_PARAMETERS / cols.size()));
            for (int from = 0; from < list.size(); from += perStatement) {
                int count = Math.min(perStatement, list.size() - from);
                PreparedStatement ps = statement(c, dialect.upsert(shape, count));
                int idx = 1;
                for (int r = from; r < from + count; r++) {
                    Object[] values = list.get(r).values();
                    for (int i = 0; i < cols.size(); i++) {
                        dialect.bind(ps, idx++, cols.get(i), values[i]);
                    }
                }
                ps.executeUpdate();
                n += count;
            }
        }
        return n;
    }

    private PreparedStatement statement(Connection c, String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            if (statements.size() > 64) {
                closeStatements();
            }
            ps = c.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    private void bindPartition(PreparedStatement ps, int from, TopicPartition tp) throws SQLException {
        ps.setString(from, connectorName);
        ps.setString(from + 1, tp.topic());
        ps.setInt(from + 2, tp.partition());
    }

    /** A validated connection, reconnecting when the old one is gone. */
    private Connection connection() throws SQLException {
        if (conn != null) {
            boolean valid;
            try {
                valid = conn.isValid(5);
            } catch (SQLException e) {
                valid = false;
            }
            if (valid) {
                return conn;
            }
            log.info("The database connection is no longer valid; reconnecting");
            closeConnection();
        }
        Connection c = factory.open();
        try {
            dialect.initialize(c);
            if (!offsetsTableReady) {
                tables.ensureOffsetsTable(c, offsetsTable);
                offsetsTableReady = true;
            }
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw e;
        }
        conn = c;
        return c;
    }

    private void rollbackQuietly() {
        if (conn == null) {
            return;
        }
        try {
            if (!conn.getAutoCommit()) {
                conn.rollback();
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            log.debug("rollback failed; dropping the connection", e);
            closeConnection();
        }
    }

    private void closeStatements() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
        statements.clear();
    }

    /** Drops the connection (after a connection error); the next write reconnects. */
    public void closeConnection() {
        closeStatements();
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // it is broken anyway
            }
            conn = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }

    private static final Comparator<TopicPartition> PARTITION_ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private static List<TopicPartition> sorted(Collection<TopicPartition> tps) {
        List<TopicPartition> list = new ArrayList<>(tps);
        list.sort(PARTITION_ORDER);
        return list;
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
