package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.AggregateRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static io.logbunker.connect.source.tail.TailerFixture.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A window-close flush point cuts the range at the first line of the newest window when no older line follows it, so
 * each (window, group) of a time-ordered log goes out once; with late lines it emits everything, as before. Under
 * every {@link TailerProfile}, totals per (window, status) equal a count made from the generated lines.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.logbunker.connect.source.tail.TailerProfile#all")
class WindowCutTest {
    @Parameter
    TailerProfile profile;

    @TempDir
    Path dir;

    @Test
    void aClosingWindowIsCutAtTheNewestWindowsFirstLineWhoseGroupsStayOpen() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = new TailerFixture(dir, profile);
        fx.graceMs = 5_000;
        fx.idleMs = 1_000_000;
        String head = at(0, 10, 200) + at(0, 50, 404);
        fx.append(file, head + at(1, 2, 200) + at(1, 3, 404));
        try (AccessLogTailer t = fx.tailer()) {
            assertTrue(fx.accept(t.poll()).isEmpty());
            fx.append(file, at(1, 5, 200)); // closes 10:00
            List<FlushBatch> b = fx.accept(t.poll());
            assertEquals(1, b.size());
            assertEquals(head.length(), b.get(0).endPosition(), "the range ends where the 10:01 window's first line starts");
            assertEquals(2, b.get(0).rows().size());
            assertTrue(b.get(0).rows().stream().allMatch(r -> r.windowStart() == b.get(0).rows().get(0).windowStart()));
            fx.time.sleep(1_000_001);
            List<FlushBatch> rest = fx.accept(t.poll());
            assertEquals(1, rest.size());
            assertEquals(head.length(), rest.get(0).startPosition());
            assertEquals(Map.of("200", 2L, "404", 1L), statusCounts(rest.get(0)));
        }
    }

    private static Map<String, Long> statusCounts(FlushBatch b) {
        Map<String, Long> m = new TreeMap<>();
        for (AggregateRow r : b.rows()) {
            m.merge(r.dimensions().get(0), r.requests(), Long::sum);
        }
        return m;
    }

    /** Lines over many 10 s windows, 20 per second, statuses by a seeded generator; jitter moves some lines back in time. */
    private static Map<String, Long> write(Path file, int lines, int jitterSeconds, long seed) throws Exception {
        Random r = new Random(seed);
        Map<String, Long> truth = new TreeMap<>();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            int second = i / 20 - (jitterSeconds > 0 && r.nextInt(50) == 0 ? r.nextInt(jitterSeconds + 1) : 0);
            second = Math.max(0, second);
            int status = r.nextInt(10) == 0 ? 404 : r.nextInt(3) == 0 ? 204 : 200;
            sb.append(at(second / 60, second % 60, status));
            truth.merge((second / 10) + "/" + status, 1L, Long::sum);
        }
        Files.writeString(file, sb.toString(), StandardCharsets.US_ASCII);
        return truth;
    }

    private static Map<String, Long> byWindowAndStatus(List<FlushBatch> batches) {
        Map<String, Long> m = new TreeMap<>();
        for (FlushBatch b : batches) {
            for (AggregateRow r : b.rows()) {
                long second = (r.windowStart() - java.time.Instant.parse("2026-11-22T10:00:00Z").toEpochMilli()) / 1000;
                m.merge((second / 10) + "/" + r.dimensions().get(0), r.requests(), Long::sum);
            }
        }
        return m;
    }

    @Test
    void aTimeOrderedLogEmitsEveryWindowAndGroupOnce() throws Exception {
        Path file = dir.resolve("access.log");
        Map<String, Long> truth = write(file, 60 * 60 * 20 / 2, 0, 1); // 30 minutes, 180 windows
        TailerFixture fx = new TailerFixture(dir, profile);
        fx.windowMs = 10_000;
        fx.graceMs = 2_000;
        try (AccessLogTailer t = fx.tailer()) {
            fx.drain(t);
        }
        assertEquals(truth, byWindowAndStatus(fx.batches));
        Set<String> keys = new HashSet<>();
        long records = 0;
        for (FlushBatch b : fx.batches) {
            for (AggregateRow r : b.rows()) {
                keys.add(r.windowStart() + "/" + r.dimensions());
                records++;
            }
        }
        assertEquals(keys.size(), records, "one record per (window, group): no partials");
    }

    @Test
    void lateLinesAndRestartsFromEveryCutStayExact() throws Exception {
        Path file = dir.resolve("access.log");
        Map<String, Long> truth = write(file, 20_000, 4, 2);
        TailerFixture fx = new TailerFixture(dir, profile);
        fx.windowMs = 10_000;
        fx.graceMs = 2_000;
        // crash after every few polls: open groups are lost, their lines are after the stored offset and read again
        for (int round = 0; round < 200; round++) {
            boolean more;
            try (AccessLogTailer t = fx.tailer()) {
                fx.restarted();
                for (int i = 0; i < 3; i++) {
                    fx.accept(t.poll());
                }
                more = t.hasBacklog();
                if (!more) {
                    fx.drain(t);
                }
            }
            if (!more) {
                break;
            }
        }
        assertEquals(truth, byWindowAndStatus(fx.batches));
        Map<Long, Long> ends = new HashMap<>();
        fx.batches.forEach(b -> ends.merge(b.endPosition(), 1L, Long::sum));
        assertEquals(Files.size(file), fx.batches.get(fx.batches.size() - 1).endPosition());
    }
}
