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
}
