package io.logbunker.connect.source.tail;

import java.util.Map;

/** Where the tailer finds the last committed position of a file identity (Connect's offset storage, in the task). */
@FunctionalInterface
public interface StoredOffsets {
    StoredOffsets NONE = identity -> null;

    /** The stored offset map of this identity ({@code position}, {@code check}), or null. */
    Map<String, Object> offset(String identity);
}
