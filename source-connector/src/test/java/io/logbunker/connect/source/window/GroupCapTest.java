package io.logbunker.connect.source.window;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class GroupCapTest {
    private static AggregateRow row(long window, String group, long requests, Double rt) {
        return new AggregateRow(window, window + 60_000, List.of(group, "x"), requests, requests * 10, List.of(rt(rt)));
    }

    private static MetricValues rt(Double rt) {
        return rt == null ? new MetricValues(0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, null)
                : new MetricValues(1, rt, rt, rt, Map.of(LogLinear.bucket(rt), 1L));
    }

    /** The bucket formula as the README writes it, computed here on its own. */
    private static final class LogLinear {
        static int bucket(double v) {
            return (int) Math.ceil(Math.log(v) / Math.log(1.01 / 0.99));
        }
    }

    @Test
    void noCapReturnsTheRowsAsTheyAre() {
        List<AggregateRow> rows = List.of(row(0, "a", 1, null), row(0, "b", 2, null));
        assertSame(rows, new GroupCap(0, 60_000, 0).apply(rows));
    }

    @Test
    void groupsBeyondTheCapAreMergedIntoOneOtherRowPerWindowAndAdmittedGroupsStayTheirOwn() {
        GroupCap cap = new GroupCap(2, 60_000, 0);
        List<AggregateRow> first = cap.apply(List.of(row(0, "a", 1, 0.5), row(0, "b", 2, null), row(0, "c", 3, 0.1),
                row(0, "d", 4, 0.9), row(60_000, "c", 5, null)));
        assertEquals(List.of(row(0, "a", 1, 0.5), row(0, "b", 2, null), row(60_000, "c", 5, null),
                new AggregateRow(0, 60_000, List.of("__other__", "__other__"), 7, 70, List.of(new MetricValues(2, 0.1 + 0.9, 0.1, 0.9,
                        Map.of(LogLinear.bucket(0.1), 1L, LogLinear.bucket(0.9), 1L))))), first);
        // a later range of the same window: admitted groups keep their rows, new ones still go to __other__
        List<AggregateRow> later = cap.apply(List.of(row(0, "b", 1, null), row(0, "e", 1, null)));
        assertEquals(List.of(row(0, "b", 1, null), new AggregateRow(0, 60_000, List.of("__other__", "__other__"), 1, 10, List.of(rt(null)))),
                later);
        assertEquals(8, cap.linesOverCap());
    }

    @Test
    void windowsLongClosedAreForgotten() {
        GroupCap cap = new GroupCap(1, 60_000, 0);
        cap.apply(List.of(row(0, "a", 1, null)));
        cap.apply(List.of(row(11 * 60_000, "z", 1, null)));
        // window 0 is more than ten windows behind the newest: a late line of a new group is admitted afresh
        assertEquals(List.of(row(0, "b", 1, null)), cap.apply(List.of(row(0, "b", 1, null))));
    }
}
