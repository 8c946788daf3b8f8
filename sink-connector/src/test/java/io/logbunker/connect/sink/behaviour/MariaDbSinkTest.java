package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.sink.AggregateUpsertSinkTask;
import io.logbunker.connect.sink.dialect.MySqlDialect;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * Earlier versions created tables in utf8mb4_bin, which pads: "a" and "a " were one key. Such a table gets the
     * statement that converts it, after which the two are two rows.
     */
    @Test
    void aTableWhoseKeysIgnoreTrailingSpacesIsAdvisedTheStatementThatMakesThemCompareBytes() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + db.q(topic) + " (window_start DATETIME(3) NOT NULL, status VARCHAR(191) NOT NULL, "
                    + "referer LONGTEXT NULL, requests BIGINT NULL, PRIMARY KEY (window_start, status)) "
                    + "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
            String text = adviceFollowedOnce(c);
            assertTrue(text.contains("status (utf8mb4_bin)") && text.contains("trailing spaces"), text);
            assertFalse(text.contains("referer"), "a value column is no key: " + text);
        }
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), new TopicPartition(topic, 0));
        t.put(List.of(rec(0, 0, W0, "a", 1, 1L), rec(0, 1, W0, "a ", 1, 1L)));
        assertEquals(List.of("a", "a "), statusesInOrder());
    }

    @Test
    void aTableWhoseKeysIgnoreCaseIsAdvisedToo() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + db.q(topic) + " (window_start DATETIME(3) NOT NULL, status VARCHAR(20) NOT NULL, "
                    + "requests BIGINT NULL, PRIMARY KEY (window_start, status)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci");
            String text = adviceFollowedOnce(c);
            assertTrue(text.contains("status (utf8mb4_general_ci)"), text);
            assertEquals("varchar(20)", db.scalar("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                    + "AND TABLE_NAME = '" + topic + "' AND COLUMN_NAME = 'status'"), "the type is kept, only the collation changes");
        }
    }

    /** A server that is not strict would cut a key too long for its column, and count two groups in one row. */
    @Test
    void aKeyTooLongForItsColumnIsRefusedEvenWhereTheServerWouldCutIt() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = ''");
            new MySqlDialect().initialize(c);
            st.execute("CREATE TABLE " + db.q(topic) + " (k VARCHAR(4) NOT NULL PRIMARY KEY, n BIGINT)");
            java.sql.SQLException e = assertThrows(java.sql.SQLException.class,
                    () -> st.execute("INSERT INTO " + db.q(topic) + " VALUES ('abcde', 1)"));
            assertTrue(e.getMessage().contains("too long"), e.getMessage());
            assertEquals(0, db.scalarLong("SELECT COUNT(*) FROM " + db.q(topic)));
        }
    }

    /**
     * Six string keys at 191 characters each are more than InnoDB's primary key holds: the table is created with
     * shorter ones, and a longer value is refused (to the DLQ), never cut and merged with another key.
     */
    @Test
    void sixStringKeysFitThePrimaryKeyAndALongerValueIsRefusedNotCut() throws Exception {
        List<String> names = List.of("host", "site", "status", "request_method", "uri", "arg_ad");
        SchemaBuilder key = SchemaBuilder.struct().name("k6");
        SchemaBuilder value = SchemaBuilder.struct().name("v6");
        for (SchemaBuilder b : List.of(key, value)) {
            b.field("window_start", Timestamp.builder().parameter("merge", "key").build());
            names.forEach(n -> b.field(n, SchemaBuilder.string().parameter("merge", "key").build()));
        }
        Schema keySchema = key.build();
        Schema valueSchema = value.field("requests", SchemaBuilder.int64().parameter("merge", "sum").build()).build();
        String longUri = "/" + "a".repeat(200);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, new TopicPartition(topic, 0));
        List<SinkRecord> records = new java.util.ArrayList<>();
        for (String uri : List.of("/short", longUri, longUri + "b")) {
            Struct k = new Struct(keySchema).put("window_start", new Date(W0));
            Struct v = new Struct(valueSchema).put("window_start", new Date(W0)).put("requests", 1L);
            for (String n : names) {
                k.put(n, n.equals("uri") ? uri : "x");
                v.put(n, n.equals("uri") ? uri : "x");
            }
            records.add(new SinkRecord(topic, 0, keySchema, k, valueSchema, v, records.size()));
        }
        t.put(records);
        assertEquals(List.of(1L, 2L), ctx.reported.stream().map(SinkRecord::kafkaOffset).toList(), "both long keys are refused");
        assertEquals(1, db.sumRequests(topic), "the short key is written");
        assertEquals("varchar(127)", db.scalar("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                + "AND TABLE_NAME = '" + topic + "' AND COLUMN_NAME = 'uri'"));
    }
}
