package io.logbunker.connect.source.window;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/** One group's buckets, ascending: a read-only map over a range of the sorted arrays (bucket keys are distinct). */
final class GroupHistogram extends AbstractMap<Integer, Long> {
    private final BucketCounts codec;
    private final long[] keys;
    private final long[] counts;
    private final int from;
    private final int to;

    GroupHistogram(BucketCounts codec, long[] keys, long[] counts, int from, int to) {
        this.codec = codec;
        this.keys = keys;
        this.counts = counts;
        this.from = from;
        this.to = to;
    }

    @Override
    public int size() {
        return to - from;
    }

    @Override
    public Long get(Object key) {
        if (key instanceof Integer k) {
            for (int i = from; i < to; i++) {
                if (codec.bucket(keys[i]) == k) {
                    return counts[i];
                }
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public Set<Entry<Integer, Long>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return to - from;
            }

            @Override
            public Iterator<Entry<Integer, Long>> iterator() {
                return new Iterator<>() {
                    private int i = from;

                    @Override
                    public boolean hasNext() {
                        return i < to;
                    }

                    @Override
                    public Entry<Integer, Long> next() {
                        if (i >= to) {
                            throw new NoSuchElementException();
                        }
                        Entry<Integer, Long> e = new SimpleImmutableEntry<>(codec.bucket(keys[i]), counts[i]);
                        i++;
                        return e;
                    }
                };
            }
        };
    }
}
