package io.logbunker.connect.source.tail;

import java.util.HashMap;
import java.util.Map;

/**
 * The source offset of one file identity, the one type for everything that writes, reads or checks it (the task, the
 * tailer, the connector's {@code alterOffsets}). In Connect's offset storage the partition is
 * {@code {"fingerprint": "<identity>"}} and the offset {@code {"position": <byte>, "check": "<hex>", "path": "<file>"}}.
 *
 * @param position the byte (in the file's content: decompressed for a compressed file) after the last emitted line
 * @param check    hash of the up to 64 bytes before {@code position}; null when unknown (an operator's offset)
 * @param path     the file it was read from, for people; never used to find the file
 * @param since    when the connector first read these logs (epoch ms), carried forward in every offset; null in
 *                 offsets written before it was recorded. Files last written before it predate the connector.
 */
public record SourceOffset(long position, String check, String path, Long since) {
    public static final String PARTITION_KEY = "fingerprint";
    public static final String POSITION_KEY = "position";
    public static final String CHECK_KEY = "check";
    public static final String PATH_KEY = "path";
    public static final String SINCE_KEY = "since";

    public static Map<String, String> partition(String identity) {
        return Map.of(PARTITION_KEY, identity);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new HashMap<>();
        m.put(POSITION_KEY, position);
        if (check != null) {
            m.put(CHECK_KEY, check);
        }
        if (path != null) {
            m.put(PATH_KEY, path);
        }
        if (since != null) {
            m.put(SINCE_KEY, since);
        }
        return m;
    }

    /**
     * The offset a map holds, as stored or as an operator gives it.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static SourceOffset fromMap(Map<String, ?> offset) {
        Object position = offset.get(POSITION_KEY);
        if (!(position instanceof Number) || position instanceof Double || position instanceof Float
                || ((Number) position).longValue() < 0) {
            throw new IllegalArgumentException("an offset must have a non-negative integer \"" + POSITION_KEY + "\", got " + offset);
        }
        Object check = offset.get(CHECK_KEY);
        if (check != null && !(check instanceof String)) {
            throw new IllegalArgumentException("\"" + CHECK_KEY + "\" must be a string, got " + check);
        }
        Object path = offset.get(PATH_KEY);
        Object since = offset.get(SINCE_KEY);
        if (since != null && !(since instanceof Long || since instanceof Integer)) {
            throw new IllegalArgumentException("\"" + SINCE_KEY + "\" must be an integer (epoch milliseconds), got " + since);
        }
        return new SourceOffset(((Number) position).longValue(), (String) check, path == null ? null : path.toString(),
                since == null ? null : ((Number) since).longValue());
    }

    /**
     * The identity a partition map names.
     *
     * @throws IllegalArgumentException when it names none
     */
    public static String identityOf(Map<String, ?> partition) {
        if (partition == null || !(partition.get(PARTITION_KEY) instanceof String id) || id.isEmpty()) {
            throw new IllegalArgumentException("a source partition must be {\"" + PARTITION_KEY + "\": \"<file identity>\"}, got "
                    + partition);
        }
        return id;
    }
}
