package io.logbunker.connect.sink.engine;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistogramCountsTest {

    @Test
    void theJsonListsTheNonEmptyBucketsInAscendingOrder() {
        Map<Integer, Long> m = new HashMap<>();
        m.put(12, 3L);
        m.put(Integer.MIN_VALUE, 2L);
        m.put(-40, 1L);
        m.put(7, 0L);
        assertEquals("[[-2147483648,2],[-40,1],[12,3]]", HistogramCounts.of("h", m).toJson());
    }

    @Test
    void anAbsentEmptyOrAllZeroMapIsNoValueSoItNeverErasesAStoredOne() {
        assertNull(HistogramCounts.of("h", null));
        assertNull(HistogramCounts.of("h", Map.of()));
        assertNull(HistogramCounts.of("h", Map.of(3, 0L)));
    }

    @Test
    void nullOrNegativeEntriesAreBadRecordsNamingTheField() {
        Map<Integer, Long> nullCount = new HashMap<>();
        nullCount.put(1, null);
        RecordMappingException e = assertThrows(RecordMappingException.class, () -> HistogramCounts.of("rt_histogram", nullCount));
        assertTrue(e.getMessage().contains("'rt_histogram'"), e.getMessage());
        e = assertThrows(RecordMappingException.class, () -> HistogramCounts.of("rt_histogram", Map.of(4, -1L)));
        assertTrue(e.getMessage().contains("negative count in bucket 4"), e.getMessage());
    }

    @Test
    void plusAddsTheCountsOfEqualBucketsLikeAPlainMap() {
        Random r = new Random(3);
        for (int round = 0; round < 200; round++) {
            Map<Integer, Long> truth = new TreeMap<>();
            HistogramCounts sum = null;
            for (int part = 0; part < 1 + r.nextInt(5); part++) {
                Map<Integer, Long> m = new HashMap<>();
                for (int i = r.nextInt(30); i > 0; i--) {
                    int bucket = r.nextInt(10) == 0 ? Integer.MIN_VALUE : r.nextInt(80) - 40;
                    long count = 1 + r.nextInt(1000);
                    m.merge(bucket, count, Long::sum);
                    truth.merge(bucket, count, Long::sum);
                }
                HistogramCounts h = HistogramCounts.of("h", m);
                sum = (HistogramCounts) MergeFunction.HISTOGRAM.combine(sum, h);
            }
            Map<Integer, Long> back = new TreeMap<>();
            for (int i = 0; sum != null && i < sum.size(); i++) {
                assertTrue(i == 0 || sum.bucket(i - 1) < sum.bucket(i), "ascending, each bucket once");
                back.put(sum.bucket(i), sum.count(i));
            }
            assertEquals(truth, back);
        }
    }

    @Test
    void aCountBeyondALongFailsInsteadOfWrapping() {
        HistogramCounts a = HistogramCounts.of("h", Map.of(1, Long.MAX_VALUE));
        assertThrows(ArithmeticException.class, () -> a.plus(HistogramCounts.of("h", Map.of(1, 1L))));
    }
}
