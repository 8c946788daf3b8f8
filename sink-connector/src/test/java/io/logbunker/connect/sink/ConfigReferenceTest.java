package io.logbunker.connect.sink;

import io.logbunker.connect.testkit.ConfigDocs;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
    @Test
    void readmeConfigReferenceIsGeneratedFromTheConfigDef() throws Exception {
        ConfigDocs.assertReadmeCurrent("sink", AggregateUpsertSinkConfig.CONFIG_DEF);
    }
}
