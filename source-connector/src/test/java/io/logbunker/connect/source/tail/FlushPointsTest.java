package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.window.AggregateRow;
import org.apache.kafka.common.utils.MockTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.logbunker.connect.source.tail.TailerFixture.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flush points: watermark past window end + grace, idle, max interval and max open groups (clock injected), under every
 * {@link TailerProfile}.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.logbunker.connect.source.tail.TailerProfile#all")
class FlushPointsTest {
    @Parameter
    TailerProfile profile;

    private TailerFixture fixture() {
        return new TailerFixture(dir, profile);
    }

    @TempDir
    Path dir;

    @Test
    void watermarkPastWindowEndPlusGraceEmitsAllOpenGroups() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.graceMs = 5_000;
        fx.idleMs = 1_000_000;
        fx.append(file, at(0, 10, 200) + at(0, 50, 404) + at(1, 2, 200) + at(0, 59, 500));
        try (AccessLogTailer t = fx.tailer()) {
            assertTrue(fx.accept(t.poll()).isEmpty(), "10:01:02 is within the grace of window 10:00");
            fx.append(file, at(1, 5, 200)); // watermark reaches 10:01:05 = end of 10:00 + grace
            List<FlushBatch> b = fx.accept(t.poll());
            assertEquals(1, b.size());
            // all open groups, including the open 10:01 window, are emitted as partials
            assertEquals(5, b.get(0).rows().stream().mapToLong(AggregateRow::requests).sum());
            assertEquals(4, b.get(0).rows().size());
            assertEquals(2, t.stats().openWindows() + 2 - t.stats().openWindows()); // stats published
        }
    }

    @Test
    void aFileIsNotIdleWhileOneReadOfItTakesLongerThanFlushIdle() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        // every reading of the clock advances it 1 s, as if each step of the read were slow: the poll reads the clock
        // at its start, while reading and after; only the time after the last bytes read may count as idle
        fx.time = new MockTime(1_000, 1_700_000_000_000L, 0);
        fx.idleMs = 1_500;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6_000; i++) { // about 500 KB in one window: many chunks in one poll under the small profiles
            sb.append(at(0, i % 60, 200));
        }
        fx.append(file, sb.toString());
        try (AccessLogTailer t = fx.tailer()) {
            assertTrue(fx.accept(t.poll()).isEmpty(), "the bytes were read just now: the file is busy, not idle");
            fx.time.sleep(3_000);
            assertEquals(6_000, fx.accept(t.poll()).stream().flatMap(b -> b.rows().stream()).mapToLong(AggregateRow::requests).sum());
        }
    }

    @Test
    void idleFileIsFlushedByWallClock() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.idleMs = 10_000;
        fx.append(file, at(0, 1, 200));
        try (AccessLogTailer t = fx.tailer()) {
            assertTrue(fx.accept(t.poll()).isEmpty());
            fx.time.sleep(9_999);
            assertTrue(fx.accept(t.poll()).isEmpty());
            fx.time.sleep(1);
            assertEquals(1, fx.accept(t.poll()).size());
        }
    }

    @Test
    void theTimeUntilTheNextIdleOrMaxIntervalFlushIsKnown() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.idleMs = 10_000;
        fx.maxIntervalMs = 15_000;
        try (AccessLogTailer t = fx.tailer()) {
            assertEquals(Long.MAX_VALUE, t.millisUntilFlushDue(), "no open range");
            fx.append(file, at(0, 1, 200));
            assertTrue(fx.accept(t.poll()).isEmpty());
            assertEquals(10_000, t.millisUntilFlushDue());
            fx.time.sleep(4_000);
            assertEquals(6_000, t.millisUntilFlushDue());
            fx.append(file, at(0, 2, 200)); // new data: idle restarts, the max interval does not
            assertTrue(fx.accept(t.poll()).isEmpty());
            assertEquals(10_000, t.millisUntilFlushDue());
            fx.time.sleep(6_000);
            fx.append(file, at(0, 3, 200));
            assertTrue(fx.accept(t.poll()).isEmpty());
            assertEquals(5_000, t.millisUntilFlushDue(), "15 s after the range opened");
            fx.time.sleep(5_000);
            assertEquals(0, t.millisUntilFlushDue());
            assertEquals(1, fx.accept(t.poll()).size());
            assertEquals(Long.MAX_VALUE, t.millisUntilFlushDue(), "emitted");
        }
    }

    @Test
    void maxIntervalFlushesABusyFile() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.idleMs = 1_000_000;
        fx.maxIntervalMs = 5_000;
        try (AccessLogTailer t = fx.tailer()) {
            for (int i = 0; i < 5; i++) { // polls at +0s .. +4s
                fx.append(file, at(0, i, 200));
                assertTrue(fx.accept(t.poll()).isEmpty());
                fx.time.sleep(1_000);
            }
            fx.append(file, at(0, 5, 200));
            List<FlushBatch> b = fx.accept(t.poll()); // +5s since the range's first line
            assertEquals(1, b.size());
            assertEquals(6, b.get(0).rows().get(0).requests());
        }
    }

    @Test
    void maxOpenGroupsCutsTheRangeBeforeTheLineThatWouldExceedIt() throws Exception {
        Path file = dir.resolve("access.log");
        TailerFixture fx = fixture();
        fx.maxOpenGroups = 3;
        fx.idleMs = 1_000_000;
        StringBuilder sb = new StringBuilder();
        for (int s = 200; s < 210; s++) {
            sb.append(at(0, 1, s));
        }
        fx.append(file, sb.toString());
        try (AccessLogTailer t = fx.tailer()) {
            List<FlushBatch> b = fx.accept(t.poll());
            assertEquals(3, b.size());
            b.forEach(x -> assertEquals(3, x.rows().size()));
            assertEquals(1, t.stats().openGroups());
        }
    }
}
