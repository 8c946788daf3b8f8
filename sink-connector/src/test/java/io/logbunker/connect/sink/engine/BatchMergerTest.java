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

/** Rows pre-merged per key with the merge functions, then in key order (the order every transaction locks rows in). */
class BatchMergerTest {
    private static final TableShape SHAPE = new TableShape("m", List.of(
            new Column("window_start", Timestamp.SCHEMA, MergeFunction.KEY),
            new Column("status", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("shard", Schema.INT64_SCHEMA, MergeFunction.KEY),
            new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM)));

    @Test
    void mergesEqualKeysAndSortsByEachKeyColumnInTurn() {
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
        Collections.shuffle(rows, new Random(7));
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
        assertEquals(List.of("10000/1000/-1", "10000/1000/3", "10000/1000/12", "10000/200/-1"), keys.subList(0, 4),
                "times by instant, text by its characters, numbers by value");
        assertEquals("1000000/500/12", keys.get(keys.size() - 1));
    }
}
