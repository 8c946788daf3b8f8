package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.MetricSpec;
import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.window.WindowAggregator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LineBatchTest {
    private static final String FORMAT = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\" $request_time";
    private static final List<String> GROUP_BY = List.of("status", "arg_ad");
    private static final MetricSpec METRICS =
            MetricSpec.parse("request_time:sum,min,max,histogram", LogFormat.compile(FORMAT), 0.01, 0.001);
    private static final LineRule RULE = new LineRule(400, 65_536);

    /** A line of ad {@code ad}, in second {@code second}, with a request time that varies with {@code i}. */
    private static String line(int i, int ad, int second) {
        return String.format("10.0.0.%d - - [22/Nov/2026:10:%02d:%02d +0000] \"GET /t?ev=view&ad=%d HTTP/1.1\" 200 %d \"-\" \"UA\" %d.%03d%n",
                i % 250, second / 60 % 60, second % 60, ad, 100 + i % 900, i % 3, i % 1000);
    }

    private static LineBatch batch(int fromGroups) {
        return new LineBatch(RULE, fromGroups, () -> new LineFolder(FORMAT, GROUP_BY, METRICS));
    }

    /** 20,000 lines over 20,000 ads and 40 s (many groups per window), with bad, empty and overlong lines among them. */
    private static byte[] corpus() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            if (i % 1_001 == 7) {
                sb.append("not a log line ").append(i).append('\n');
            } else if (i % 1_313 == 11) {
                sb.append('\n');
            } else if (i % 4_999 == 13) {
                sb.append("x".repeat(500)).append('\n');
            } else {
                sb.append(line(i, (int) ((i * 7_919L) % 20_000), i / 500));
            }
        }
        sb.append(line(20_000, 1, 40), 0, 30); // an unfinished line
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private record Taken(int start, int length, String reason) {
    }

    /** Folds every complete line the way the tailer's loops do; returns the lines taken, in order. */
    private static List<Taken> foldAll(LineBatch b, byte[] buf, WindowAggregator agg, List<AggregateRow> rows, int[] maxBatch) {
        List<Taken> taken = new ArrayList<>();
        int start = 0;
        do {
            start = b.fill(buf, start, start, buf.length, agg);
            maxBatch[0] = Math.max(maxBatch[0], b.size());
            for (int k = 0; k < b.size(); k++) {
                taken.add(new Taken(b.start(k), b.length(k), b.reason(k)));
                if (b.reason(k) == null) {
                    b.folder(k).foldInto(agg);
                    if (agg.windowClosed()) {
                        rows.addAll(agg.drain());
                    }
                }
            }
        } while (b.full());
        rows.addAll(agg.drain());
        return taken;
    }

    /** The same lines one at a time with one folder, without batches or probes. */
    private static List<Taken> foldOneByOne(byte[] buf, WindowAggregator agg, List<AggregateRow> rows) {
        LineFolder folder = new LineFolder(FORMAT, GROUP_BY, METRICS);
        List<Taken> taken = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < buf.length; i++) {
            if (buf[i] == '\n') {
                int len = i - start;
                String reason = RULE.overlong(len) ? RULE.overlongReason(len) : folder.parse(buf, start, len);
                taken.add(new Taken(start, len, reason));
                if (reason == null) {
                    folder.foldInto(agg);
                    if (agg.windowClosed()) {
                        rows.addAll(agg.drain());
                    }
                }
                start = i + 1;
            }
        }
        rows.addAll(agg.drain());
        return taken;
    }

    private static List<String> sorted(List<AggregateRow> rows) {
        return rows.stream().sorted(Comparator.comparingLong(AggregateRow::windowStart).thenComparing(r -> r.dimensions().toString()))
                .map(AggregateRow::toString).toList();
    }

    @Test
    void batchedLinesAreTakenClassifiedAndFoldedExactlyAsLinesOneByOne() {
        byte[] buf = corpus();
        List<AggregateRow> expectedRows = new ArrayList<>();
        List<Taken> expected = foldOneByOne(buf, new WindowAggregator(10_000, 0, METRICS), expectedRows);
        List<AggregateRow> rows = new ArrayList<>();
        int[] maxBatch = {0};
        List<Taken> taken = foldAll(batch(0), buf, new WindowAggregator(10_000, 0, METRICS), rows, maxBatch);

        assertEquals(LineBatch.SIZE, maxBatch[0], "lines went in batches");
        assertEquals(expected, taken, "the same lines, in file order, with the same reasons");
        assertEquals(20_000, taken.size(), "the unfinished line is not taken");
        assertTrue(taken.stream().filter(t -> t.reason() != null).count() >= 35, "bad, empty and overlong lines");
        assertEquals(sorted(expectedRows), sorted(rows), "the same rows, histograms included");
        assertTrue(expectedRows.size() > 15_000, "many groups per window: " + expectedRows.size());
    }

    @Test
    void belowTheThresholdLinesGoOneAtATimeUntilTheGroupsReachIt() {
        byte[] buf = corpus();
        LineBatch b = batch(5_000);
        WindowAggregator agg = new WindowAggregator(60_000, 0, METRICS);
        int start = 0;
        int singles = 0;
        int groupsAtFirstBatch = -1;
        do {
            int openBefore = agg.openGroups();
            start = b.fill(buf, start, start, buf.length, agg);
            if (b.size() == 1 && b.full()) {
                singles++;
                assertTrue(openBefore < 5_000, "a single line only below the threshold: " + openBefore);
            } else if (b.size() > 1 && groupsAtFirstBatch < 0) {
                groupsAtFirstBatch = openBefore;
            }
            for (int k = 0; k < b.size(); k++) {
                if (b.reason(k) == null) {
                    b.folder(k).foldInto(agg);
                }
            }
        } while (b.full());
        assertTrue(singles >= 5_000, "one at a time at first: " + singles);
        assertTrue(groupsAtFirstBatch >= 5_000, "batches from the threshold on: " + groupsAtFirstBatch);
    }

    @Test
    void aBufferWithoutALineEndTakesNothingAndKeepsItsStart() {
        byte[] buf = "10.0.0.1 - - [22/Nov/2026:10:00:00 +0000] \"GET".getBytes(StandardCharsets.US_ASCII);
        LineBatch b = batch(0);
        assertEquals(3, b.fill(buf, 3, 3, buf.length, new WindowAggregator(60_000, 0, METRICS)));
        assertEquals(0, b.size());
        assertTrue(!b.full());
    }

    @Test
    void aRejectedLineHasNoParsedValuesButKeepsItsPlace() {
        byte[] buf = (line(1, 1, 0) + "garbage\n" + line(2, 2, 0)).getBytes(StandardCharsets.US_ASCII);
        LineBatch b = batch(0);
        assertEquals(buf.length, b.fill(buf, 0, 0, buf.length, new WindowAggregator(60_000, 0, METRICS)));
        assertEquals(3, b.size());
        assertNull(b.reason(0));
        assertNotNull(b.reason(1));
        assertNull(b.reason(2));
        assertEquals("garbage", new String(buf, b.start(1), b.length(1), StandardCharsets.US_ASCII));
    }
}
