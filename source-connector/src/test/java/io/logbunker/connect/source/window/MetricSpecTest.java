package io.logbunker.connect.source.window;

import io.logbunker.connect.source.format.LogFormat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricSpecTest {
    private static final LogFormat FORMAT = LogFormat.compile("$remote_addr [$time_local] \"$request\" $status $body_bytes_sent "
            + "$request_length $request_time \"$upstream_response_time\" \"$http_user_agent\"");

    @Test
    void entriesAreSeparatedBySemicolonsOrByTheNextVariablesColon() {
        MetricSpec a = MetricSpec.parse("request_time:sum,min,max,histogram;upstream_response_time:max,histogram;request_length:sum",
                FORMAT, 0.01, 0.001);
        MetricSpec b = MetricSpec.parse("request_time:sum,min,max,histogram, upstream_response_time:max, histogram,"
                + " $request_length:sum", FORMAT, 0.01, 0.001);
        assertEquals(a, b);
        assertEquals(List.of(new MetricSpec.Metric("request_time", true, true, true, true, true),
                new MetricSpec.Metric("upstream_response_time", true, false, false, true, true),
                new MetricSpec.Metric("request_length", false, true, false, false, false)), a.metrics());
        assertEquals(2, a.metrics().stream().filter(MetricSpec.Metric::histogram).count());
    }

    @Test
    void emptyIsTheHistoricContract() {
        assertEquals(List.of(new MetricSpec.Metric("request_time", true, true, true, true, false)),
                MetricSpec.parse("", FORMAT, 0.01, 0.001).metrics());
        assertTrue(MetricSpec.parse(" ", LogFormat.compile("combined"), 0.01, 0.001).metrics().isEmpty());
    }

    @Test
    void mistakesNameWhatIsWrong() {
        assertMessage("http_user_agent:sum", "'http_user_agent' is not a numeric nginx variable");
        assertMessage("upstream_connect_time:max", "'upstream_connect_time' is not in log.format");
        assertMessage("request_time:avg", "'avg' (for request_time) is not an aggregate");
        assertMessage("sum", "'sum' has no variable");
        assertMessage("request_time:sum;request_time:max", "'request_time' is listed twice");
        assertMessage("request_time:sum,sum", "'sum' is listed twice for request_time");
        assertThrows(IllegalArgumentException.class, () -> MetricSpec.parse("", FORMAT, 1.0, 0.001));
        assertThrows(IllegalArgumentException.class, () -> MetricSpec.parse("", FORMAT, 0.01, 0));
    }

    private static void assertMessage(String spec, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricSpec.parse(spec, FORMAT, 0.01, 0.001));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
