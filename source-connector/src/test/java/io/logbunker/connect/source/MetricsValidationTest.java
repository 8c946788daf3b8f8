package io.logbunker.connect.source;

import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad metrics setting fails validation on the metrics field itself, with what is wrong. */
class MetricsValidationTest {
    private static List<String> errors(String metrics, String format) {
        Map<String, String> c = new HashMap<>();
        c.put("files", System.getProperty("java.io.tmpdir") + "/logbunker-validate/access.log*");
        c.put("topic", "t");
        c.put("log.format", format);
        c.put("metrics", metrics);
        for (ConfigValue v : new AccessLogSourceConnector().validate(c).configValues()) {
            if (v.name().equals("metrics")) {
                return v.errorMessages();
            }
        }
        throw new AssertionError("no metrics in the validation result");
    }

    @Test
    void unknownNonNumericOrAbsentVariablesAreErrorsOnMetrics() {
        String format = "combined";
        String withTimes = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent $request_time "
                + "\"$upstream_response_time\"";
        assertEquals(List.of(), errors("request_time:sum,histogram;upstream_response_time:max,histogram", withTimes));
        assertTrue(errors("request_time:max", format).get(0).contains("'request_time' is not in log.format"));
        assertTrue(errors("remote_addr:sum", withTimes).get(0).contains("not a numeric nginx variable"));
        assertTrue(errors("request_time:p99", withTimes).get(0).contains("'request_time:p99' is not variable:aggregate"));
    }
}
