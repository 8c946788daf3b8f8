package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.sink.AggregateUpsertSinkTask;
import io.logbunker.connect.sink.dialect.MySqlDialect;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MariaDbSinkTest extends SinkBehaviourSuite {
    @Override
    TestDatabase database() {
        return TestDatabase.mariadb();
    }

    @Override
    Map<String, String> withoutWritePrivilege() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE USER IF NOT EXISTS 'lb_noperm'@'%'");
            st.execute("CREATE USER IF NOT EXISTS 'lb_noperm'@'localhost'");
        }
        return Map.of("connection.user", "lb_noperm");
    }

    /**
     * Histograms merge through a function the sink creates; a user who may write tables but not create routines gets
     * a failed task that names the privilege and the statement to run once as an administrator.
     */
    @Test
    void aUserWhoMayNotCreateTheHistogramFunctionIsToldWhatToGrantOrRun() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP FUNCTION IF EXISTS " + db.q(MySqlDialect.HISTOGRAM_MERGE_FUNCTION));
            st.execute("CREATE USER IF NOT EXISTS 'lb_noroutine'@'%'");
            st.execute("CREATE USER IF NOT EXISTS 'lb_noroutine'@'localhost'");
            for (String host : List.of("%", "localhost")) {
                st.execute("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX ON " + db.q(c.getCatalog()) + ".* TO "
                        + "'lb_noroutine'@'" + host + "'");
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, Map.of("connection.user", "lb_noroutine"), tp);
        List<SinkRecord> batch = List.of(new SinkRecord(topic, 0, HistogramFixture.KEY, HistogramFixture.key(W0, "200"),
                HistogramFixture.VALUE, HistogramFixture.value(W0, "200", 3, Map.of(5, 3L)), 0));
        ConnectException e = assertThrows(ConnectException.class, () -> t.put(batch));
        assertTrue(e.getMessage().contains("CREATE ROUTINE") && e.getMessage().contains("CREATE FUNCTION IF NOT EXISTS `"
                + MySqlDialect.HISTOGRAM_MERGE_FUNCTION + "`"), e.getMessage());
        assertEquals(0, ctx.reported.size(), "a missing privilege is not a bad record");
        assertTrue(e.getMessage().contains("GRANT EXECUTE"), e.getMessage());
        // once an administrator has created the function and let the user execute it, the same user writes histograms
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(new MySqlDialect().histogramSupport().get(0));
            for (String host : List.of("%", "localhost")) {
                st.execute("GRANT EXECUTE ON FUNCTION " + db.q(c.getCatalog()) + "." + db.q(MySqlDialect.HISTOGRAM_MERGE_FUNCTION)
                        + " TO 'lb_noroutine'@'" + host + "'");
            }
        }
        AggregateUpsertSinkTask again = task(new FakeSinkContext(), Map.of("connection.user", "lb_noroutine"), tp);
        again.put(batch);
        assertEquals(Map.of(W0 + "|200|5", 3L), db.histogramBuckets(topic, "request_time_histogram"));
    }

    @Override
    String unreachableUrl() {
        return "jdbc:mariadb://127.0.0.1:1/test";
    }
}
