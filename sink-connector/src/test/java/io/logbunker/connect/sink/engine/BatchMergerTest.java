package io.logbunker.connect.sink.engine;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rows pre-merged per key with the merge functions, then in one order (the order every transaction locks rows in). */
class BatchMergerTest {
    private static final TableShape SHAPE = new TableShape("m", List.of(
            new Column("window_start", Timestamp.SCHEMA, MergeFunction.KEY),
            new Column("status", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("shard", Schema.INT64_SCHEMA, MergeFunction.KEY),
            new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM)));

    @Test
    void mergesEqualKeysAndPutsThemInOneOrderWhateverOrderTheyArrivedIn() {
        List<Object[]> rows = new ArrayList<>();
        for (long w : new long[] {20_000, 10_000, 1_000_000}) {
            for (String status : new String[] {"500", "200", "404", "1000"}) {
                for (long shard : new long[] {12, 3, -1}) {
                    for (int copy = 0; copy < 3; copy++) {
                        rows.add(new Object[] {new Date(w), status, shard, 1L + copy});
                    }
                }
            }
        }
        List<String> first = null;
        for (int seed = 0; seed < 5; seed++) {
            Collections.shuffle(rows, new Random(seed));
            BatchMerger merger = new BatchMerger();
            long offset = 0;
            for (Object[] r : rows) {
                merger.add(new MappedRow(SHAPE, r, false, "t", 0, offset++));
            }
            List<BatchMerger.Pending> out = merger.sortedByTable().get("m");
            assertEquals(3 * 4 * 3, out.size());
            List<String> keys = new ArrayList<>();
            for (BatchMerger.Pending p : out) {
                keys.add(((Date) p.key()[0]).getTime() + "/" + p.key()[1] + "/" + p.key()[2]);
                assertEquals(6L, p.values()[3], "1 + 2 + 3 for every key");
            }
            List<BatchMerger.Pending> sorted = new ArrayList<>(out);
            sorted.sort(BatchMerger.LOCK_ORDER);
            assertEquals(sorted, out, "the lock order");
            if (first == null) {
                first = keys;
            }
            assertEquals(first, keys, "every transaction locks the same rows in the same order, however they arrived");
        }
    }

    @Test
    void rowsComeOutInTheOrderOfTheirKeyColumnsWhichIsThePrimaryKeysOrder() {
        BatchMerger merger = new BatchMerger();
        List<Object[]> rows = new ArrayList<>();
        for (long w : new long[] {20_000, 10_000, 9_000}) {
            for (String status : new String[] {"500", "200", "Aa", "BB", "404"}) {
                for (long shard : new long[] {10, 9, -1, 100}) {
                    rows.add(new Object[] {new Date(w), status, shard, 1L});
                }
            }
        }
        Collections.shuffle(rows, new Random(5));
        long offset = 0;
        for (Object[] r : rows) {
            merger.add(new MappedRow(SHAPE, r, false, "t", 0, offset++));
        }
        List<String> keys = new ArrayList<>();
        for (BatchMerger.Pending p : merger.sortedByTable().get("m")) {
            keys.add(((Date) p.key()[0]).getTime() + "/" + p.key()[1] + "/" + p.key()[2]);
        }
        List<String> expected = new ArrayList<>();
        for (long w : new long[] {9_000, 10_000, 20_000}) { // by time, not by the text of the number
            for (String status : new String[] {"200", "404", "500", "Aa", "BB"}) {
                for (long shard : new long[] {-1, 9, 10, 100}) { // numerically
                    expected.add(w + "/" + status + "/" + shard);
                }
            }
        }
        assertEquals(expected, keys);
    }

    @Test
    void theRowsOfOneKeyFoldInTheOrderTheyArrivedWhereverTheyStandInTheBatch() {
        BatchMerger merger = new BatchMerger();
        Random random = new Random(11);
        long offset = 0;
        // per key: an upsert, a tombstone, then upserts; or upserts, then a tombstone last
        List<MappedRow> rows = new ArrayList<>();
        for (int key = 0; key < 2_000; key++) {
            Object[] k = {new Date(10_000), key % 2 == 0 ? "200" : "500", (long) key};
            boolean deleteLast = key % 3 == 0;
            rows.add(row(k, 100L, false));
            if (!deleteLast) {
                rows.add(row(k, null, true));
            }
            rows.add(row(k, 2L, false));
            rows.add(row(k, 3L, false));
            if (deleteLast) {
                rows.add(row(k, null, true));
            }
        }
        // interleave the keys but keep each key's rows in order: shuffle whole keys' positions
        List<List<MappedRow>> perKey = new ArrayList<>();
        for (MappedRow r : rows) {
            long key = (Long) r.values()[2];
            while (perKey.size() <= key) {
                perKey.add(new ArrayList<>());
            }
            perKey.get((int) key).add(r);
        }
        List<MappedRow> batch = new ArrayList<>();
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < perKey.size(); i++) {
            live.add(i);
        }
        while (!live.isEmpty()) {
            int at = random.nextInt(live.size());
            List<MappedRow> next = perKey.get(live.get(at));
            batch.add(next.remove(0));
            if (next.isEmpty()) {
                live.remove(at);
            }
        }
        for (MappedRow r : batch) {
            merger.add(new MappedRow(r.shape(), r.values(), r.delete(), "t", 0, offset++));
        }
        List<BatchMerger.Pending> out = merger.sortedByTable().get("m");
        assertEquals(2_000, out.size());
        for (BatchMerger.Pending p : out) {
            long key = (Long) p.key()[2];
            assertEquals(true, p.deleteFirst(), "every key had a tombstone");
            if (key % 3 == 0) {
                assertEquals(null, p.values(), "the tombstone came last: the row is deleted");
            } else {
                assertEquals(5L, p.values()[3], "only the upserts after the tombstone: 2 + 3, not 100");
            }
        }
    }

    @Test
    void anUpsertAfterATombstoneOfAnOlderShapeKeepsItsOwnColumns() {
        TableShape older = new TableShape("m", List.of(new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY),
                new Column("a", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM)));
        // evolved: a new field before the old one, so the value positions differ
        TableShape newer = new TableShape("m", List.of(new Column("k", Schema.INT64_SCHEMA, MergeFunction.KEY),
                new Column("b", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM),
                new Column("a", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM)));
        BatchMerger merger = new BatchMerger();
        merger.add(new MappedRow(older, new Object[] {1L, null}, true, "t", 0, 0));
        merger.add(new MappedRow(newer, new Object[] {1L, 5L, 7L}, false, "t", 0, 1));
        BatchMerger.Pending p = merger.sortedByTable().get("m").get(0);
        assertEquals(true, p.deleteFirst());
        assertEquals(newer, p.shape(), "the values are the newer shape's: written as the older, 5 would land in a");
        assertEquals(7L, p.values()[2]);
    }

    @Test
    void aRetriedTransactionMergesTheSameRowsToTheSameTotals() {
        // a transaction that conflicts is retried with the same rows: merging must not have written into them
        List<MappedRow> batch = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Object[] k = {new Date(10_000), i % 2 == 0 ? "200" : "500", (long) (i % 7)};
            batch.add(row(k, (long) i, false));
        }
        List<Long> totals = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            BatchMerger merger = new BatchMerger();
            for (MappedRow r : batch) {
                merger.add(r);
            }
            List<Long> now = new ArrayList<>();
            for (BatchMerger.Pending p : merger.sortedByTable().get("m")) {
                now.add((Long) p.values()[3]);
            }
            assertEquals(14, now.size());
            assertEquals(300L * 299 / 2, now.stream().mapToLong(Long::longValue).sum());
            if (totals == null) {
                totals = now;
            }
            assertEquals(totals, now, "attempt " + attempt);
        }
        for (int i = 0; i < batch.size(); i++) {
            assertEquals((long) i, batch.get(i).values()[3], "the rows themselves are unchanged");
        }
    }

    @Test
    void interleavedKeysMergeApartAndEachInTheOrderItsRowsArrived() {
        // the two keys' rows arrive interleaved, with a tombstone among them
        Object[] aa = {new Date(10_000), "Aa", 1L};
        Object[] bb = {new Date(10_000), "BB", 1L};
        BatchMerger merger = new BatchMerger();
        merger.add(row(aa, 1L, false));
        merger.add(row(bb, 10L, false));
        merger.add(row(aa, 2L, false));
        merger.add(row(bb, null, true)); // bb's tombstone drops its 10
        merger.add(row(aa, 4L, false));
        merger.add(row(bb, 20L, false));
        merger.add(row(bb, 40L, false));
        List<BatchMerger.Pending> out = merger.sortedByTable().get("m");
        assertEquals(2, out.size());
        BatchMerger.Pending first = out.get(0);
        BatchMerger.Pending second = out.get(1);
        assertEquals("Aa", first.key()[1], "by key");
        assertEquals(false, first.deleteFirst());
        assertEquals(7L, first.values()[3]);
        assertEquals("BB", second.key()[1]);
        assertEquals(true, second.deleteFirst());
        assertEquals(60L, second.values()[3]);
    }

    private static MappedRow row(Object[] key, Long requests, boolean delete) {
        return new MappedRow(SHAPE, new Object[] {key[0], key[1], key[2], requests}, delete, "t", 0, 0);
    }
}
