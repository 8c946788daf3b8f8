package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.SqliteDialect;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OffsetsLedger on a real SQLite file; the behaviour suite covers it on every database through the task. */
class OffsetsLedgerTest {
    @TempDir
    Path dir;

    private final SqliteDialect dialect = new SqliteDialect();
    private final TopicPartition p0 = new TopicPartition("t", 0);
    private final TopicPartition p1 = new TopicPartition("t", 1);

    private Connection connect() throws Exception {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("o.db"));
        new TableManager(dialect, true, true).ensureOffsetsTable(c, "offsets");
        return c;
    }

    @Test
    void openCreatesRowsAtMinusOneAndAdvanceMovesOnlyForward() throws Exception {
        try (Connection c = connect()) {
            OffsetsLedger ledger = new OffsetsLedger(dialect, "offsets", "conn");
            assertEquals(Map.of(p0, -1L, p1, -1L), ledger.open(c, List.of(p1, p0)));
            c.setAutoCommit(false);
            Map<TopicPartition, Long> stored = ledger.lock(c, List.of(p0, p1));
            Map<TopicPartition, Long> next = ledger.advance(c, stored, Map.of(p0, 10L, p1, 5L));
            c.commit();
            ledger.committed(next);
            assertTrue(ledger.alreadyApplied(p0, 9));
            assertFalse(ledger.alreadyApplied(p0, 10));
            stored = ledger.lock(c, List.of(p0));
            assertEquals(Map.of(p0, 10L), ledger.advance(c, stored, Map.of(p0, 7L)), "never backwards");
            c.commit();
            c.setAutoCommit(true);
            assertEquals(Map.of(p0, 10L, p1, 5L), new OffsetsLedger(dialect, "offsets", "conn").open(c, List.of(p0, p1)));
            assertEquals(Map.of(p0, -1L), new OffsetsLedger(dialect, "offsets", "other-connector").open(c, List.of(p0)),
                    "rows are per connector");
        }
    }

    /** A connector renamed without its offsets would apply every record again: open() can tell whose offsets exist. */
    @Test
    void otherConnectorsOffsetsAreFoundWhereThisOneHasNone() throws Exception {
        try (Connection c = connect()) {
            OffsetsLedger old = new OffsetsLedger(dialect, "offsets", "old-name");
            old.open(c, List.of(p0, p1));
            c.setAutoCommit(false);
            old.committed(old.advance(c, old.lock(c, List.of(p0)), Map.of(p0, 42L)));
            c.commit();
            c.setAutoCommit(true);
            OffsetsLedger renamed = new OffsetsLedger(dialect, "offsets", "new-name");
            Map<TopicPartition, Long> stored = renamed.open(c, List.of(p0, p1));
            assertEquals(Map.of(p0, Map.of("old-name", 42L)), renamed.othersWhereNone(c, stored),
                    "p1 was never written by anyone, p0 by the old name");
            assertEquals(Map.of(), old.othersWhereNone(c, old.open(c, List.of(p0))), "the old name has its own offsets");
        }
    }

    @Test
    void lockCreatesTheRowOfAPartitionNeverOpened() throws Exception {
        try (Connection c = connect()) {
            OffsetsLedger ledger = new OffsetsLedger(dialect, "offsets", "conn");
            c.setAutoCommit(false);
            assertEquals(Map.of(p1, -1L), ledger.lock(c, List.of(p1)));
            c.commit();
            c.setAutoCommit(true);
            assertEquals(Map.of(p1, -1L), ledger.open(c, List.of(p1)));
        }
    }
}
