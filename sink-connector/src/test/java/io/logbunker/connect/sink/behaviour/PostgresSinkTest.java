package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.sink.AggregateUpsertSinkTask;
import io.logbunker.connect.testkit.TestDatabase;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PostgresSinkTest extends SinkBehaviourSuite {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    Map<String, String> withoutWritePrivilege() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            // PostgreSQL 15+ lets no one but the owner create tables in schema public
            st.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lb_noperm') THEN CREATE ROLE lb_noperm LOGIN; "
                    + "END IF; END $$");
            st.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        }
        return Map.of("connection.user", "lb_noperm", "offsets.table.name", "offsets_noperm");
    }

    @Override
    String unreachableUrl() {
        return "jdbc:postgresql://127.0.0.1:1/test";
    }

    /** Whatever the database's default: an ICU or glibc language collation costs every key comparison in the index. */
    @Test
    void textColumnsCreatedOrAddedUseTheBinaryCollation() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        t.put(List.of(rec(0, 0, W0, "200", 1, 1L)));
        Schema withText = SchemaBuilder.struct().name("v2")
                .field("window_start", Timestamp.builder().parameter("merge", "key").build())
                .field("status", SchemaBuilder.string().parameter("merge", "key").build())
                .field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
                .field("referer", SchemaBuilder.string().optional().build()).build();
        t.put(List.of(new SinkRecord(topic, 0, KEY, key(W0, "200"), withText, new Struct(withText).put("window_start", new Date(W0))
                .put("status", "200").put("requests", 1L).put("referer", "-"), 1)));
        String columns = " FROM information_schema.columns WHERE table_name = '" + topic + "' AND data_type = 'text'";
        assertEquals(3, db.scalarLong("SELECT COUNT(*)" + columns), "status, label and the added referer are text");
        assertEquals(3, db.scalarLong("SELECT COUNT(*)" + columns + " AND collation_name = 'C'"));
    }

    /** An ICU collation of this server (Debian's and the official images' builds have ICU), or none. */
    private String icuCollation() throws Exception {
        Object name = db.scalar("SELECT collname FROM pg_collation WHERE collprovider = 'i' AND collname LIKE 'en%' "
                + "ORDER BY collname LIMIT 1");
        assumeTrue(name != null, "this PostgreSQL was built without ICU");
        return (String) name;
    }

    @Test
    void anExistingTableWhoseKeysUseALocaleIsAdvisedTheStatementThatMakesThemCompareBytes() throws Exception {
        String icu = icuCollation();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + db.q(topic) + " (window_start TIMESTAMPTZ NOT NULL, status VARCHAR(8) COLLATE \"" + icu
                    + "\" NOT NULL, referer TEXT COLLATE \"" + icu + "\", requests BIGINT, PRIMARY KEY (window_start, status))");
            String text = adviceFollowedOnce(c);
            assertTrue(text.contains("status (" + icu + ")"), text);
            assertFalse(text.contains("referer"), "a value column is no key: " + text);
            assertFalse(text.contains("not deterministic"), text);
            assertEquals("character varying(8)|C", db.scalar("SELECT format_type(a.atttypid, a.atttypmod) || '|' || co.collname "
                    + "FROM pg_attribute a JOIN pg_collation co ON co.oid = a.attcollation WHERE a.attrelid = '" + topic
                    + "'::regclass AND a.attname = 'status'"), "the type is kept, only the collation changes");
        }
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), new TopicPartition(topic, 0));
        t.put(List.of(rec(0, 0, W0, "200", 1, 1L)));
        assertEquals(1, db.sumRequests(topic), "the sink writes into the converted table");
    }

    @Test
    void keysInANondeterministicCollationAreWarnedToMergeWhatItIgnores() throws Exception {
        icuCollation();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP COLLATION IF EXISTS lb_case_insensitive");
            st.execute("CREATE COLLATION lb_case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false)");
            st.execute("CREATE TABLE " + db.q(topic) + " (window_start TIMESTAMPTZ NOT NULL, status TEXT COLLATE lb_case_insensitive "
                    + "NOT NULL, requests BIGINT, PRIMARY KEY (window_start, status))");
            String text = adviceFollowedOnce(c);
            assertTrue(text.contains("status (lb_case_insensitive)") && text.contains("not deterministic"), text);
        }
    }
}
