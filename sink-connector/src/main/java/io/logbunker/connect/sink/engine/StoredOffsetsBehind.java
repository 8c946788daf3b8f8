package io.logbunker.connect.sink.engine;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * The database holds lower offsets than this writer committed there: it lost transactions it had acknowledged (an
 * asynchronous replica promoted by a failover, a restore from a backup, commits not yet on disk when it crashed with
 * {@code synchronous_commit} off). Other writers only ever move a stored offset forward, so nothing else moves one
 * back. Nothing of the batch was written; the records from {@link #rewindTo} on must be delivered again, or the lost
 * ones would never be counted.
 */
public final class StoredOffsetsBehind extends RuntimeException {
    private final transient Map<TopicPartition, Long> rewindTo;

    StoredOffsetsBehind(Map<TopicPartition, Long> rewindTo, Map<TopicPartition, Long> lost, Map<TopicPartition, Long> believed) {
        super(describe(lost, believed));
        this.rewindTo = Map.copyOf(rewindTo);
    }

    /** The partitions to seek and where to: the offsets the database holds (0 for a lost row). */
    public Map<TopicPartition, Long> rewindTo() {
        return rewindTo;
    }

    private static String describe(Map<TopicPartition, Long> lost, Map<TopicPartition, Long> believed) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        lost.forEach((tp, stored) -> parts.add(tp + " is stored at offset " + stored + " though this task committed up to "
                + believed.get(tp)));
        return "The database lost transactions it had acknowledged: " + String.join("; ", parts) + ". Such a loss comes from "
                + "an asynchronous replica promoted by a failover, a restore from a backup, or commits not on disk when the "
                + "server crashed. Nothing of this batch was written: the task reads the records from the stored offsets on "
                + "again, so nothing is lost while the topic still holds them.";
    }
}
