package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.testkit.TestDatabase;

class MariaDbSinkTest extends SinkBehaviourSuite {
    @Override
    TestDatabase database() {
        return TestDatabase.mariadb();
    }

    @Override
    String unreachableUrl() {
        return "jdbc:mariadb://127.0.0.1:1/test";
    }
}
