package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.testkit.TestDatabase;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

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
}
