package io.logbunker.connect.sink.behaviour;

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
