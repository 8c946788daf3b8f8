package io.logbunker.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
        } catch (java.sql.SQLException e) {
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

    /** The table's rows and distinct windows. */
    static long[] tableRows(Connection db, String table) throws java.sql.SQLException {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT window_start) FROM \"" + table + "\"")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** {@code SUM(requests)} of a table, 0 while the sink has not created it. */
    static long tableRequests(Connection db, String table) {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(requests), 0) FROM \"" + table + "\"")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }
}
