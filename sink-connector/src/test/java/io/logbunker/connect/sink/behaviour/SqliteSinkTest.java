package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.testkit.TestDatabase;

import java.util.Map;

class SqliteSinkTest extends SinkBehaviourSuite {
    @Override
    TestDatabase database() {
        return TestDatabase.sqlite();
    }

    @Override
    Map<String, String> withoutWritePrivilege() throws Exception {
        db.connect().close(); // the database file exists; this connection may only read it
        return Map.of("connection.property.open_mode", "1");
    }

    @Override
    String unreachableUrl() {
        return null;
    }
}
