package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.Dialect;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Writes batches of rows and the Kafka offsets they come from in one database transaction.
 *
 * <p>Exactly once: inside the transaction the offset row of every partition in the batch is locked and read
 * first; records below the stored next offset were already applied (a redelivery, a commit whose outcome was
 * unknown, or a zombie's successor having gone ahead) and are skipped; the rest are merged, upserted and the
 * offset row moves to the batch's end. Two tasks writing one partition serialize on the offset row, and the
 * later one skips what the earlier one wrote, so a zombie can never apply a record twice or move the offset
 * backwards. The parts: {@link JdbcSession} (the connection), {@link TableManager} (tables), {@link OffsetsLedger}
 * (the offset rows), {@link BatchMerger} (rows of one key merged first) and {@link RowWriter} (the statements).
 */
public final class AggregateWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AggregateWriter.class);

    /** Opens a new JDBC connection. */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /** What one write did. */
    public record Outcome(int rowsUpserted, int rowsDeleted, int recordsApplied, int recordsSkipped) {
    }

    private final Dialect dialect;
    private final int conflictRetries;
    private final TableManager tables;
    private final OffsetsLedger ledger;
    private final JdbcSession session;
    private final RowWriter rowWriter;
    private final BatchMerger merger = new BatchMerger();
    private boolean offsetsTableReady;

    public AggregateWriter(Dialect dialect, ConnectionFactory factory, String connectorName, String offsetsTable, boolean autoCreate,
                           boolean autoEvolve, int maxRowsPerStatement, int conflictRetries) {
        this.dialect = dialect;
        this.conflictRetries = conflictRetries;
        this.tables = new TableManager(dialect, autoCreate, autoEvolve);
        this.ledger = new OffsetsLedger(dialect, offsetsTable, connectorName);
        this.session = new JdbcSession(dialect, factory, c -> {
            if (!offsetsTableReady) {
                tables.ensureOffsetsTable(c, ledger.table());
                offsetsTableReady = true;
            }
        });
        this.rowWriter = new RowWriter(dialect, session, maxRowsPerStatement);
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * Makes sure the offset rows of these partitions exist and returns their stored next offsets (-1: none yet). Tasks
     * opening at once may deadlock on a fresh offsets table (InnoDB's gap locks): that is retried like a write.
     */
    public Map<TopicPartition, Long> open(Collection<TopicPartition> partitions) throws SQLException {
        Map<TopicPartition, Long> stored = retryingConflicts(() -> ledger.open(session.connection(), partitions));
        ledger.othersWhereNone(session.connection(), stored).forEach((tp, others) -> log.warn("Connector {} has no stored "
                + "offset for {} but {} have (connector name = next offset): if it replaces one of them under a new name, stop "
                + "it and give it the old one's rows first (UPDATE {} SET connector_name = '{}' WHERE connector_name = "
                + "'<old name>'), or it applies again every record Kafka still holds and the totals double. If they write the "
                + "topic into other tables, nothing is wrong.", ledger.connectorName(), tp, others, ledger.table(),
                ledger.connectorName()));
        return stored;
    }

    public void forget(Collection<TopicPartition> partitions) {
        ledger.forget(partitions);
    }

    /** Next offsets committed to the database, for partitions this writer has seen. */
    public Map<TopicPartition, Long> committedOffsets() {
        return ledger.committedOffsets();
    }

    /** True when this record was already applied, as far as this writer knows. */
    public boolean alreadyApplied(TopicPartition tp, long offset) {
        return ledger.alreadyApplied(tp, offset);
    }

    /**
     * Writes rows and moves each partition's offset to {@code batchEnds} (its highest offset + 1, counting records
     * that were not rows, e.g. sent to the DLQ) in one transaction. Deadlocks and serialization failures retry
     * the whole transaction.
     *
     * @throws SQLException when the transaction failed; nothing of it is committed
     * @throws StoredOffsetsBehind when the database lost transactions this writer committed; nothing was written
     */
    public Outcome write(List<MappedRow> rows, Map<TopicPartition, Long> batchEnds) throws SQLException {
        try {
            return retryingConflicts(() -> writeOnce(rows, batchEnds));
        } catch (SQLException e) {
            // a table or column dropped under the running task: what this writer knew of the tables is stale, and so are
            // the statements prepared against them; the next look creates or evolves the tables as a first one would (or
            // says why it cannot)
            if (e instanceof TableManager.Mismatch || !(dialect.isMissingTable(e) || dialect.isMissingColumn(e)) || !tables.forget()) {
                throw e;
            }
            log.warn("A table or column this task wrote before is gone ({}); looking at the tables again and retrying the batch",
                    e.getMessage());
            session.close();
            return retryingConflicts(() -> writeOnce(rows, batchEnds));
        }
    }

    /** One unit of database work that may be retried whole. */
    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws SQLException;
    }

    private <T> T retryingConflicts(Attempt<T> work) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            try {
                return work.run();
            } catch (SQLException e) {
                session.rollbackQuietly();
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
        Connection c = session.connection();
        TableShape ensured = null;
        for (MappedRow r : rows) {
            if (r.shape() != ensured) { // a record's rows, and mostly a batch's, share one shape
                tables.ensure(c, r.shape()); // DDL in autocommit, before the transaction
                ensured = r.shape();
            }
        }
        c.setAutoCommit(false);
        Map<TopicPartition, Long> stored = ledger.lock(c, batchEnds.keySet());
        failIfLost(stored);
        merger.clear();
        int applied = 0;
        int skipped = 0;
        String topic = null;
        int partition = -1;
        long storedNext = -1;
        for (MappedRow r : rows) {
            if (r.partition() != partition || !r.topic().equals(topic)) { // rows come in runs of one partition
                topic = r.topic();
                partition = r.partition();
                storedNext = stored.getOrDefault(new TopicPartition(topic, partition), -1L);
            }
            if (r.offset() < storedNext) {
                skipped++;
                continue;
            }
            merger.add(r);
            applied++;
        }
        int upserted = 0;
        int deleted = 0;
        for (List<BatchMerger.Pending> pending : merger.sortedByTable().values()) {
            deleted += rowWriter.deleteRows(pending);
            upserted += rowWriter.upsertRows(pending);
        }
        Map<TopicPartition, Long> next = ledger.advance(c, stored, batchEnds);
        c.commit();
        // back to autocommit: sqlite-jdbc would otherwise open the next IMMEDIATE transaction at once and hold the
        // database's write lock between batches
        c.setAutoCommit(true);
        ledger.committed(next);
        merger.clear();
        return new Outcome(upserted, deleted, applied, skipped);
    }

    /**
     * Checks that the database still holds what this writer committed for these partitions, between writes (a partition
     * that gets no records would otherwise never show a loss until the task restarts). Without an open connection it
     * does nothing: connecting is the next write's job, which checks as well, and an offset commit must not wait for it.
     *
     * @throws StoredOffsetsBehind when it lost some of it
     */
    public void checkStoredOffsets(Collection<TopicPartition> partitions) throws SQLException {
        if (session.isOpen()) {
            failIfLost(ledger.read(session.connection(), partitions));
        }
    }

    /** Throws {@link StoredOffsetsBehind}, with nothing of an open transaction committed, when {@code stored} lost some. */
    private void failIfLost(Map<TopicPartition, Long> stored) {
        Map<TopicPartition, Long> believed = ledger.lostSince(stored);
        if (believed.isEmpty()) {
            return;
        }
        session.rollbackQuietly();
        Map<TopicPartition, Long> lost = new java.util.HashMap<>(stored);
        lost.keySet().retainAll(believed.keySet());
        // every partition starts again where the database stands (nothing of a batch was written); one whose row is
        // gone, from the start of what the topic holds; one this connector never wrote keeps its position
        Map<TopicPartition, Long> rewindTo = new java.util.HashMap<>();
        stored.forEach((tp, next) -> {
            if (next >= 0 || lost.containsKey(tp)) {
                rewindTo.put(tp, Math.max(0, next));
            }
        });
        ledger.committed(stored); // from here on the database's offsets are the truth
        throw new StoredOffsetsBehind(rewindTo, lost, believed);
    }

    /** Drops the connection (after a connection error); the next write reconnects. */
    public void closeConnection() {
        session.close();
    }

    @Override
    public void close() {
        session.close();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
