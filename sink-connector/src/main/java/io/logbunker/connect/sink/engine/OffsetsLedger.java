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
 * The sink's offsets in the database: one row per (connector, topic, partition) holding the next Kafka offset to
 * apply. Inside a write transaction the rows of the batch's partitions are locked and read first (in one order, so
 * two tasks never deadlock on them) and moved to the batch's end last; what this writer last read or committed is
 * remembered, so redeliveries are skipped before they reach the database.
 */
final class OffsetsLedger {
    private static final Logger log = LoggerFactory.getLogger(OffsetsLedger.class);
    static final Comparator<TopicPartition> PARTITION_ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final Dialect dialect;
    private final String table;
    private final String connectorName;
    /** Next offset per partition as last read from or committed to the database by this writer. */
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    OffsetsLedger(Dialect dialect, String table, String connectorName) {
        dialect.validateIdentifier(table);
        this.dialect = dialect;
        this.table = table;
        this.connectorName = connectorName;
    }

    String connectorName() {
        return connectorName;
    }

    String table() {
        return table;
    }

    /** Creates the rows of these partitions unless they exist (autocommit); returns their next offsets (-1: none yet). */
    Map<TopicPartition, Long> open(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        c.setAutoCommit(true);
        try (PreparedStatement insert = c.prepareStatement(dialect.insertOffsetIfAbsent(table))) {
            for (TopicPartition tp : sorted(partitions)) {
                bind(insert, 1, tp);
                insert.executeUpdate();
            }
        }
        Map<TopicPartition, Long> stored = read(c, partitions);
        committed.putAll(stored);
        return stored;
    }

    /** The stored next offsets of these partitions, read without a lock (autocommit); -1 where no row exists. */
    Map<TopicPartition, Long> read(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        c.setAutoCommit(true);
        Map<TopicPartition, Long> stored = new TreeMap<>(PARTITION_ORDER);
        try (PreparedStatement read = c.prepareStatement(dialect.readOffset(table))) {
            for (TopicPartition tp : sorted(partitions)) {
                bind(read, 1, tp);
                try (ResultSet rs = read.executeQuery()) {
                    stored.put(tp, rs.next() ? rs.getLong(1) : -1);
                }
            }
        }
        return stored;
    }

    /**
     * Other connectors' stored offsets of the partitions {@code stored} has none for: a renamed connector is a new
     * consumer group, which starts at the topic's beginning, so unless its predecessor's rows are renamed too it
     * applies every record again. (Two connectors that write one topic into different tables is the innocent case.)
     */
    Map<TopicPartition, Map<String, Long>> othersWhereNone(Connection c, Map<TopicPartition, Long> stored) throws SQLException {
        Map<TopicPartition, Map<String, Long>> others = new TreeMap<>(PARTITION_ORDER);
        try (PreparedStatement ps = c.prepareStatement("SELECT connector_name, next_offset FROM " + dialect.quote(table)
                + " WHERE topic = ? AND kafka_partition = ? AND connector_name <> ? AND next_offset >= 0")) {
            for (Map.Entry<TopicPartition, Long> e : stored.entrySet()) {
                if (e.getValue() >= 0) {
                    continue;
                }
                ps.setString(1, e.getKey().topic());
                ps.setInt(2, e.getKey().partition());
                ps.setString(3, connectorName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        others.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return others;
    }

    /** Locks and reads the rows of these partitions in the open transaction, creating missing ones. */
    Map<TopicPartition, Long> lock(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        Map<TopicPartition, Long> stored = new TreeMap<>(PARTITION_ORDER);
        try (PreparedStatement lock = c.prepareStatement(dialect.lockOffset(table))) {
            for (TopicPartition tp : sorted(partitions)) {
                bind(lock, 1, tp);
                long next;
                try (ResultSet rs = lock.executeQuery()) {
                    next = rs.next() ? rs.getLong(1) : Long.MIN_VALUE;
                }
                if (next == Long.MIN_VALUE) {
                    try (PreparedStatement insert = c.prepareStatement(dialect.insertOffsetIfAbsent(table))) {
                        bind(insert, 1, tp);
                        insert.executeUpdate();
                    }
                    try (ResultSet rs = lock.executeQuery()) {
                        next = rs.next() ? rs.getLong(1) : -1;
                    }
                }
                Long believed = committed.get(tp);
                if (believed != null && next > believed) {
                    log.warn("The stored offset of {} is {} but this task last saw {}: another task (a zombie or a successor "
                            + "after a rebalance) wrote it. Records below {} are skipped, so nothing is applied twice.", tp, next,
                            believed, next);
                }
                stored.put(tp, next);
            }
        }
        return stored;
    }

    /**
     * The partitions whose stored offset is below what this writer committed (see {@link StoredOffsetsBehind}), with
     * what it committed; empty when the database holds all of it.
     */
    Map<TopicPartition, Long> lostSince(Map<TopicPartition, Long> stored) {
        Map<TopicPartition, Long> believed = new TreeMap<>(PARTITION_ORDER);
        stored.forEach((tp, next) -> {
            Long mine = committed.get(tp);
            if (mine != null && next < mine) {
                believed.put(tp, mine);
            }
        });
        return believed;
    }

    /**
     * Moves each locked row to its batch end when that is further on; returns every partition's next offset. Call
     * {@link #committed(Map)} with it once the transaction committed.
     */
    Map<TopicPartition, Long> advance(Connection c, Map<TopicPartition, Long> stored, Map<TopicPartition, Long> batchEnds)
            throws SQLException {
        Map<TopicPartition, Long> next = new HashMap<>();
        try (PreparedStatement update = c.prepareStatement(dialect.updateOffset(table))) {
            for (Map.Entry<TopicPartition, Long> e : stored.entrySet()) {
                long end = batchEnds.get(e.getKey());
                if (end > e.getValue()) {
                    update.setLong(1, end);
                    bind(update, 2, e.getKey());
                    if (update.executeUpdate() != 1) {
                        throw new SQLException("offset row of " + e.getKey() + " vanished during the transaction");
                    }
                    next.put(e.getKey(), end);
                } else {
                    next.put(e.getKey(), e.getValue());
                }
            }
        }
        return next;
    }

    void committed(Map<TopicPartition, Long> next) {
        committed.putAll(next);
    }

    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(committed::remove);
    }

    Map<TopicPartition, Long> committedOffsets() {
        return Map.copyOf(committed);
    }

    boolean alreadyApplied(TopicPartition tp, long offset) {
        Long next = committed.get(tp);
        return next != null && offset < next;
    }

    private void bind(PreparedStatement ps, int from, TopicPartition tp) throws SQLException {
        ps.setString(from, connectorName);
        ps.setString(from + 1, tp.topic());
        ps.setInt(from + 2, tp.partition());
    }

    private static List<TopicPartition> sorted(Collection<TopicPartition> tps) {
        List<TopicPartition> list = new ArrayList<>(tps);
        list.sort(PARTITION_ORDER);
        return list;
    }
}
