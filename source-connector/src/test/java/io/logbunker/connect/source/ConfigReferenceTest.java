package io.logbunker.connect.source;

import io.logbunker.connect.testkit.ConfigDocs;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
    @Test
    void readmeConfigReferenceIsGeneratedFromTheConfigDef() throws Exception {
        ConfigDocs.assertReadmeCurrent("source", AccessLogSourceConfig.CONFIG_DEF);
    }
}
