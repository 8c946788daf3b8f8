package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.testkit.TestDatabase;

class PostgresSinkTest extends SinkBehaviourSuite {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    String unreachableUrl() {
        return "jdbc:postgresql://127.0.0.1:1/test";
    }
}
