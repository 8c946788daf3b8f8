package io.logbunker.connect.sink.engine;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * How a column combines the stored value with an incoming one. NULL never erases a value: an incoming NULL
 * keeps the stored value and a stored NULL takes the incoming one, in SQL and in the in-memory pre-merge alike.
 */
public enum MergeFunction {
    /** Part of the primary key. */
    KEY,
    SUM,
    MIN,
    MAX,
    /** The newest non-null value wins. */
    REPLACE,
    /**
     * A map from bucket index to count (a log-linear histogram, {@link HistogramBuckets}), stored as one column whose
     * counts are added bucket by bucket ({@link HistogramCounts}).
     */
    HISTOGRAM;

    public static MergeFunction parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "' is not a merge function; use key, sum, min, max, replace or histogram");
        }
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Combines two values of one column, in arrival order ({@code older} first). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object combine(Object older, Object newer) {
        if (newer == null) {
            return older;
        }
        if (older == null) {
            return newer;
        }
        switch (this) {
            case SUM:
                return add(older, newer);
            case MIN:
                return ((Comparable) newer).compareTo(older) < 0 ? newer : older;
            case MAX:
                return ((Comparable) newer).compareTo(older) > 0 ? newer : older;
            case HISTOGRAM:
                return ((HistogramCounts) older).plus((HistogramCounts) newer);
            default:
                return newer;
        }
    }

    private static Object add(Object a, Object b) {
        if (a instanceof Long) {
            return Math.addExact((Long) a, (Long) b);
        }
        if (a instanceof Integer) {
            return Math.addExact((Integer) a, (Integer) b);
        }
        if (a instanceof Short) {
            return (short) Math.addExact((Short) a, (Short) b);
        }
        if (a instanceof Byte) {
            return (byte) Math.addExact((Byte) a, (Byte) b);
        }
        if (a instanceof Double) {
            return (Double) a + (Double) b;
        }
        if (a instanceof Float) {
            return (Float) a + (Float) b;
        }
        if (a instanceof BigDecimal) {
            return ((BigDecimal) a).add((BigDecimal) b);
        }
        throw new IllegalArgumentException("cannot sum values of type " + a.getClass().getSimpleName());
    }
}
