package io.logbunker.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** What a run's PostgreSQL table and the sink's offsets table hold. */
final class BenchTables {
    private BenchTables() {
    }

    /**
     * True when the sink's stored next offset of every partition has reached the topic's last stable offset (less the
     * final transaction marker): everything committed to the topic so far is in the table.
     */
    static boolean sinkCaughtUp(Connection db, String connector, Map<Integer, Long> ends) throws Exception {
        Map<Integer, Long> stored = new HashMap<>();
        try (var ps = db.prepareStatement("SELECT kafka_partition, next_offset FROM logbunker_sink_offsets WHERE connector_name = ?")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getInt(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            return false; // not created yet
        }
        for (var e : ends.entrySet()) {
            long lso = e.getValue();
            if (lso > 0 && stored.getOrDefault(e.getKey(), -1L) < lso - 1) {
                return false;
            }
        }
        return true;
    }

    /** What a table holds: its {@code SUM(requests)}, its rows and its distinct windows. */
    record Contents(long requests, long rows, long windows) {
        static final Contents NONE = new Contents(0, 0, 0);
    }

    /** The whole table. */
    static Contents contents(Connection db, String table) throws SQLException {
        return contents(db, table, Long.MIN_VALUE);
    }

    /**
     * The windows from {@code fromEpochSeconds} on (one run's windows, a range of the primary key's index), or the
     * whole table for {@link Long#MIN_VALUE}.
     */
    static Contents contents(Connection db, String table, long fromEpochSeconds) throws SQLException {
        boolean bounded = fromEpochSeconds != Long.MIN_VALUE;
        try (PreparedStatement ps = db.prepareStatement("SELECT COALESCE(SUM(requests), 0), count(*), count(DISTINCT window_start) FROM \""
                + table + "\"" + (bounded ? " WHERE window_start >= to_timestamp(?)" : ""))) {
            if (bounded) {
                ps.setLong(1, fromEpochSeconds);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Contents(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    /** As {@link #contents(Connection, String, long)}, but {@link Contents#NONE} while the sink has not created the table. */
    static Contents contentsOrNone(Connection db, String table, long fromEpochSeconds) {
        try {
            return contents(db, table, fromEpochSeconds);
        } catch (SQLException e) {
            return Contents.NONE;
        }
    }
}
