package io.logbunker.connect.sink.engine;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The key order from packed ranks is exactly the comparator's, stable by arrival; other keys take the comparator. */
class KeyOrderTest {
    private static TableShape shape(Schema... keys) {
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            columns.add(new Column("k" + i, keys[i], MergeFunction.KEY));
        }
        columns.add(new Column("arrival", Schema.INT64_SCHEMA, MergeFunction.SUM));
        return new TableShape("t", columns);
    }

    /** Rows whose keys come from {@code key}, each carrying its arrival index as its last value. */
    private static List<MappedRow> rows(TableShape shape, int n, IntFunction<Object[]> key) {
        List<MappedRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object[] k = key.apply(i);
            Object[] values = java.util.Arrays.copyOf(k, k.length + 1);
            values[k.length] = (long) i;
            rows.add(new MappedRow(shape, values, false, "t", 0, i));
        }
        return rows;
    }

    /** What the order must be: a stable sort by the comparator. */
    private static MappedRow[] byComparator(List<MappedRow> rows) {
        List<MappedRow> sorted = new ArrayList<>(rows);
        sorted.sort(KeyOrder::compareRows);
        return sorted.toArray(new MappedRow[0]);
    }

    /** A row is marked as its predecessor's key exactly when the comparator finds the two keys equal. */
    private static void assertSameKeyMarks(KeyOrder.Sorted sorted) {
        MappedRow[] r = sorted.rows();
        for (int i = 0; i < r.length; i++) {
            assertEquals(i > 0 && KeyOrder.compareRows(r[i - 1], r[i]) == 0, sorted.sameKeyAsPrevious()[i], "row " + i);
        }
    }

    @Test
    void perAdKeysArePackedAndComeOutInTheComparatorsOrderWithEqualKeysInArrivalOrder() {
        TableShape shape = shape(Timestamp.SCHEMA, Schema.STRING_SCHEMA, Schema.STRING_SCHEMA, Schema.INT32_SCHEMA);
        String[] statuses = {"200", "404", "500", "Aa", "BB", "é"};
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            // few windows, statuses and events, many ads, and repeated keys (partial flushes) among them
            List<MappedRow> rows = rows(shape, 1 + random.nextInt(20_000), i -> new Object[] {
                    new Date(1_795_860_000_000L + 10_000L * random.nextInt(3)), statuses[random.nextInt(statuses.length)],
                    "ev" + random.nextInt(7), random.nextInt(5_000) - 100});
            assertNotNull(rows.size() < 2 ? new long[0] : KeyOrder.packedRanks(rows.toArray(new MappedRow[0])), "ranked");
            assertArrayEquals(byComparator(rows), KeyOrder.sorted(rows).rows(), "seed " + seed);
            assertSameKeyMarks(KeyOrder.sorted(rows));
        }
    }

    @Test
    void keysWhoseEqualityIsNotTheirOrderTakeTheComparator() {
        // 1.0 and 1.00 compare equal and are not equal: a rank per distinct value would set them apart
        TableShape decimals = shape(Decimal.schema(2), Schema.STRING_SCHEMA);
        List<MappedRow> rows = rows(decimals, 500, i -> new Object[] {
                new BigDecimal(i % 3 == 0 ? "1.0" : i % 3 == 1 ? "1.00" : "0.50"), "s" + (i % 7)});
        assertNull(KeyOrder.packedRanks(rows.toArray(new MappedRow[0])));
        assertArrayEquals(byComparator(rows), KeyOrder.sorted(rows).rows());
        assertSameKeyMarks(KeyOrder.sorted(rows)); // 1.0 and 1.00 are one key, as they are in the database

        TableShape bytes = shape(Schema.BYTES_SCHEMA);
        List<MappedRow> byteRows = rows(bytes, 300, i -> new Object[] {new byte[] {(byte) (i % 5), (byte) (i % 11)}});
        assertNull(KeyOrder.packedRanks(byteRows.toArray(new MappedRow[0])));
        assertArrayEquals(byComparator(byteRows), KeyOrder.sorted(byteRows).rows());
        assertSameKeyMarks(KeyOrder.sorted(byteRows));
    }

    @Test
    void keysWithMoreDistinctValuesThanFitInALongTakeTheComparator() {
        // 4 columns of 2^15 distinct values each and 2^15 rows: 5 x 15 bits
        TableShape shape = shape(Schema.INT64_SCHEMA, Schema.INT64_SCHEMA, Schema.INT64_SCHEMA, Schema.STRING_SCHEMA);
        Random random = new Random(3);
        List<MappedRow> rows = rows(shape, 1 << 15, i -> new Object[] {random.nextLong(), (long) i, -(long) i, "k" + random.nextInt()});
        assertNull(KeyOrder.packedRanks(rows.toArray(new MappedRow[0])));
        assertArrayEquals(byComparator(rows), KeyOrder.sorted(rows).rows());
    }

    @Test
    void rowsOfTwoShapesWithDifferentKeysTakeTheComparator() {
        TableShape two = shape(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA);
        TableShape one = shape(Schema.STRING_SCHEMA);
        List<MappedRow> rows = new ArrayList<>(rows(two, 50, i -> new Object[] {"a" + (i % 4), "b" + (i % 3)}));
        rows.addAll(rows(one, 50, i -> new Object[] {"a" + (i % 5)}));
        assertNull(KeyOrder.packedRanks(rows.toArray(new MappedRow[0])));
        assertArrayEquals(byComparator(rows), KeyOrder.sorted(rows).rows());
    }
}
