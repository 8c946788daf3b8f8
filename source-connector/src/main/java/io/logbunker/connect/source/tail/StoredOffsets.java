package io.logbunker.connect.source.tail;

/** Where the tailer finds the last committed offset of a file identity (Connect's offset storage, in the task). */
@FunctionalInterface
public interface StoredOffsets {
    StoredOffsets NONE = identity -> null;

    /** The stored offset of this identity, or null when there is none (or it is unreadable). */
    SourceOffset offset(String identity);
}
