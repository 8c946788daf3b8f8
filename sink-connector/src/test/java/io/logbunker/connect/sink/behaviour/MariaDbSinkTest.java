package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.testkit.TestDatabase;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

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

    @Override
    String unreachableUrl() {
        return "jdbc:mariadb://127.0.0.1:1/test";
    }
}
