package io.logbunker.connect.source.window;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The counts per (group, bucket) against a plain sorted map of the same values, through every path a value can take:
 * the int buffer and its 31-bit sort, the wide buffer (large group indexes, far buckets, the zero bucket), merges of
 * several sorts within a window, and windows drained one after another from the same instance.
 */
class BucketCountsTest {
    private static final int SMALLEST = -700; // the bucket of 0.001 at 1% accuracy

    private static TreeMap<Integer, TreeMap<Integer, Long>> expected() {
        return new TreeMap<>();
    }

    private static void add(BucketCounts counts, TreeMap<Integer, TreeMap<Integer, Long>> model, int group, int bucket) {
        counts.add(group, bucket);
        model.computeIfAbsent(group, g -> new TreeMap<>()).merge(bucket, 1L, Long::sum);
    }

    private static void assertSame(TreeMap<Integer, TreeMap<Integer, Long>> model, Map<Integer, Long>[] byGroup) {
        for (int g = 0; g < byGroup.length; g++) {
            TreeMap<Integer, Long> want = model.get(g);
            if (want == null) {
                assertNull(byGroup[g], "group " + g);
                continue;
            }
            assertEquals(want, new TreeMap<>(byGroup[g]), "group " + g);
            assertEquals(want.size(), byGroup[g].size());
            // the map's own iteration order is ascending by bucket
            assertEquals(want.keySet().stream().toList(), byGroup[g].keySet().stream().toList(), "group " + g);
            Map.Entry<Integer, Long> first = want.firstEntry();
            assertEquals(first.getValue(), byGroup[g].get(first.getKey()));
            assertNull(byGroup[g].get(Integer.MAX_VALUE));
        }
    }

    @Test
    void countsEqualAPlainMapWhateverPathTheValuesTake() {
        Random random = new Random(17);
        BucketCounts counts = new BucketCounts(SMALLEST);
        for (int window = 0; window < 6; window++) {
            TreeMap<Integer, TreeMap<Integer, Long>> model = expected();
            int groups = window % 2 == 0 ? 50_000 : 300; // many groups in some windows, few in others
            int values = 200_000 + random.nextInt(400_000); // more than one buffer: merges within the window
            for (int i = 0; i < values; i++) {
                int g = random.nextInt(groups);
                int bucket;
                switch (random.nextInt(50)) {
                    case 0 -> bucket = LogLinearBuckets.ZERO_BUCKET;
                    case 1 -> bucket = window % 3 == 2 // beyond the int buffer's range, in some windows only
                            ? SMALLEST + 5_000 + random.nextInt(100_000) : SMALLEST + 1 + random.nextInt(3);
                    default -> bucket = SMALLEST + 400 + random.nextInt(window == 3 ? 3_000 : 80);
                }
                add(counts, model, g, bucket);
            }
            if (window == 4) { // a group index of 2^20 or more goes to the wide buffer
                add(counts, model, (1 << 20) + 3, SMALLEST + 450);
                groups = (1 << 20) + 4;
            }
            assertSame(model, counts.byGroup(groups));
        }
    }

    @Test
    void aGroupWithOnlyOneBucketAndAnEmptyWindowComeOutAsTheyWent() {
        BucketCounts counts = new BucketCounts(SMALLEST);
        TreeMap<Integer, TreeMap<Integer, Long>> model = expected();
        for (int i = 0; i < 1_000; i++) {
            add(counts, model, 2, SMALLEST + 400);
        }
        assertSame(model, counts.byGroup(3));
        Map<Integer, Long>[] empty = counts.byGroup(3);
        for (Map<Integer, Long> m : empty) {
            assertNull(m);
        }
    }

    @Test
    void keysThatShareTheirLowestDigitsStillSortByTheRest() {
        // one bucket and groups 2048 apart: the sort key's lowest 11 bits are the same for every value, and a radix
        // sort that skips or merges passes must still order the keys by the bits above them
        Random random = new Random(3);
        BucketCounts counts = new BucketCounts(SMALLEST);
        TreeMap<Integer, TreeMap<Integer, Long>> model = expected();
        for (int i = 0; i < 10_000; i++) {
            add(counts, model, 2048 * random.nextInt(40), SMALLEST + 400);
        }
        assertSame(model, counts.byGroup(2048 * 40));
        // and the same with the upper digit shared instead: groups below 2^11 and two buckets
        model = expected();
        for (int i = 0; i < 10_000; i++) {
            add(counts, model, random.nextInt(1_000), SMALLEST + 400 + random.nextInt(2));
        }
        assertSame(model, counts.byGroup(1_000));
    }

    @Test
    void keysOfAll32BitsSortAsUnsignedInts() {
        // groups just below 2^20 and offsets over the buffer's whole 12 bits: sort keys with the int's sign bit set,
        // which sort above the rest only as unsigned ints; then a window of few groups and narrow keys
        Random random = new Random(11);
        BucketCounts counts = new BucketCounts(SMALLEST);
        TreeMap<Integer, TreeMap<Integer, Long>> model = expected();
        for (int i = 0; i < 20_000; i++) {
            int g = i % 2 == 0 ? (1 << 20) - 1 - random.nextInt(3) : random.nextInt(3);
            add(counts, model, g, i % 3 == 0 ? SMALLEST + 1 + random.nextInt(2) : SMALLEST + 4_000 + random.nextInt(94));
        }
        assertSame(model, counts.byGroup(1 << 20));
        model = expected();
        for (int i = 0; i < 20_000; i++) {
            add(counts, model, random.nextInt(7), i % 5 == 0 ? LogLinearBuckets.ZERO_BUCKET : SMALLEST + 1 + random.nextInt(4_000));
        }
        assertSame(model, counts.byGroup(7));
    }

    @Test
    void movingGroupsAndAddingAllKeepEveryCount() {
        Random random = new Random(5);
        BucketCounts source = new BucketCounts(SMALLEST);
        TreeMap<Integer, TreeMap<Integer, Long>> model = expected();
        for (int i = 0; i < 100_000; i++) {
            add(source, model, random.nextInt(1_000), SMALLEST + 400 + random.nextInt(200));
        }
        // move the odd groups out (numbered in order), keep the even ones
        int[] into = new int[1_000];
        TreeMap<Integer, TreeMap<Integer, Long>> moved = expected();
        TreeMap<Integer, TreeMap<Integer, Long>> kept = expected();
        for (int g = 0; g < 1_000; g++) {
            into[g] = g % 2 == 1 ? g / 2 : -1;
            if (model.containsKey(g)) {
                (g % 2 == 1 ? moved : kept).put(g % 2 == 1 ? g / 2 : g, model.get(g));
            }
        }
        BucketCounts target = new BucketCounts(SMALLEST);
        source.moveGroups(into, target);
        assertSame(moved, target.byGroup(500));
        // add a second instance into the kept groups, with its groups renumbered in reverse
        BucketCounts other = new BucketCounts(SMALLEST);
        int[] map = new int[10];
        for (int g = 0; g < 10; g++) {
            map[g] = 2 * (9 - g);
        }
        for (int i = 0; i < 5_000; i++) {
            int g = random.nextInt(10);
            int bucket = SMALLEST + 400 + random.nextInt(50);
            other.add(g, bucket);
            kept.computeIfAbsent(map[g], x -> new TreeMap<>()).merge(bucket, 1L, Long::sum);
        }
        source.addAll(other, map);
        assertSame(kept, source.byGroup(1_000));
        for (Map<Integer, Long> m : other.byGroup(10)) {
            assertNull(m);
        }
    }
}
