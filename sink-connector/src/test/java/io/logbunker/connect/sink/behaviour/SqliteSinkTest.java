package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.testkit.TestDatabase;

class SqliteSinkTest extends SinkBehaviourSuite {
    @Override
    TestDatabase database() {
        return TestDatabase.sqlite();
    }

    @Override
    String unreachableUrl() {
        return null;
    }
}
