package io.logbunker.connect.source.window;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Finding a group compares its window, hash, length and every byte of its key, for keys shorter and longer than a
 * word or several. The hash is the caller's, so the tests give different keys the same hash to reach the byte
 * comparison.
 */
class GroupTableTest {
    private static final long WINDOW = 1_800_000_000_000L;
    private static final int LONGEST = 41;

    @Test
    void aKeyDifferingInAnyOneByteIsAnotherGroupAtEveryLength() {
        Random random = new Random(7);
        for (int len = 0; len <= LONGEST; len++) {
            GroupTable table = new GroupTable(1);
            byte[] key = new byte[len];
            random.nextBytes(key);
            int g = table.insert(WINDOW, key, len, 42);
            assertEquals(g, table.find(WINDOW, key.clone(), len, 42), "length " + len);
            for (int i = 0; i < len; i++) {
                byte[] other = key.clone();
                other[i] ^= (byte) (1 << random.nextInt(8));
                assertEquals(-1, table.find(WINDOW, other, len, 42), "length " + len + ", byte " + i);
            }
            if (len > 0) {
                // a prefix of the key, and the key with one more byte, are other keys too
                assertEquals(-1, table.find(WINDOW, key, len - 1, 42), "length " + len + ", a prefix");
            }
            byte[] longer = Arrays.copyOf(key, len + 1);
            assertEquals(-1, table.find(WINDOW, longer, len + 1, 42), "length " + len + ", one byte more");
            assertEquals(-1, table.find(WINDOW + 10_000, key, len, 42), "length " + len + ", another window");
        }
    }

    @Test
    void keysInsideAndAtTheEndOfALargerArrayAreFoundWithoutReadingPastThem() {
        // merging parse threads' tables looks keys up in another table's arena, where a key may end the array
        for (int len = 0; len <= LONGEST; len++) {
            byte[] key = new byte[len];
            Arrays.fill(key, (byte) ('a' + len % 26));
            byte[] arena = new byte[5 + len];
            System.arraycopy(key, 0, arena, 5, len);
            GroupTable table = new GroupTable(1);
            int g = table.insert(WINDOW, arena, 5, len, len);
            assertEquals(g, table.find(WINDOW, key, len, len), "length " + len);
            assertEquals(g, table.find(WINDOW, arena, 5, len, len), "length " + len);
        }
    }

    @Test
    void manyKeysOfOneHashAndAGrowingTableFindEachItsOwnGroup() {
        Random random = new Random(11);
        GroupTable table = new GroupTable(2);
        Map<String, Integer> model = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            int len = random.nextInt(48);
            byte[] key = new byte[len];
            for (int b = 0; b < len; b++) {
                key[b] = (byte) ('0' + random.nextInt(3)); // few distinct bytes: many keys repeat or differ by one
            }
            long window = WINDOW + 10_000L * random.nextInt(3);
            // a tenth of the keys share one hash, which puts them all in one probe run
            long h = i % 10 == 0 ? 99 : GroupTable.hash(window, key, len);
            String id = window + "/" + h + "/" + new String(key);
            int found = table.find(window, key, len, h);
            Integer want = model.get(id);
            assertEquals(want == null ? -1 : want, found, id);
            if (want == null) {
                int g = table.insert(window, key, len, h);
                assertNotEquals(-1, g);
                model.put(id, g);
            }
        }
        assertEquals(model.size(), table.size());
    }
}
