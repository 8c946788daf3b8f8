package io.logbunker.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * When a pipeline run sums its table to see whether the table holds every line.
 *
 * <p>SUM(requests) scans the whole table: near a million rows a scan takes about 0.1 s of PostgreSQL's backend and
 * its parallel workers, on the cores the pipeline runs on. Summing once a second and whenever the sink had caught up
 * with the topic (this harness until BENCHMARKS.md section 25) ran 13-16 scans in a 9-11 s per-ad run. So the table is
 * summed once the source connector's committed offsets cover every input byte (it has emitted every line: with
 * exactly-once its offsets commit with its records) and the sink's offsets have caught up with the topic, once per
 * topic end; and every 10 s in case neither can be read. The source's offsets are read from the worker's offsets
 * topic, as a read_committed consumer, so the worker does no extra work.
 */
final class RunCompletion implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long GUARD_NANOS = 10_000_000_000L;

    /** Whether the topic's stable end offsets (by partition) are all applied by the sink. */
    @FunctionalInterface
    interface CaughtUp {
        boolean test(Map<Integer, Long> ends) throws Exception;
    }

    /** The topic's stable end offsets by partition. */
    @FunctionalInterface
    interface Ends {
        Map<Integer, Long> read() throws Exception;
    }

    private final boolean everySecond;
    private final KafkaConsumer<byte[], byte[]> offsets;
    private final String connector;
    private final long inputBytes;
    /** The latest committed position of each of the connector's files, by offset key. */
    private final Map<String, Long> positions = new HashMap<>();
    private long lastSum = System.nanoTime();
    private Map<Integer, Long> summedAt = Map.of();
    private int sums;
    /** Whether the latest sum was the guard's: if it found the end, the run's time may be up to 10 s late. */
    private boolean byGuard;

    /**
     * @param offsetsTopic the worker's offset.storage.topic, or null to sum once a second and whenever the sink has
     *                     caught up (as before section 25; also what {@code everySecond} asks for)
     */
    RunCompletion(String bootstrap, String offsetsTopic, String connector, long inputBytes, boolean everySecond) {
        this.everySecond = everySecond || offsetsTopic == null;
        this.connector = connector;
        this.inputBytes = inputBytes;
        if (this.everySecond) {
            offsets = null;
            return;
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        offsets = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = new ArrayList<>();
        offsets.partitionsFor(offsetsTopic).forEach(info -> tps.add(new TopicPartition(offsetsTopic, info.partition())));
        offsets.assign(tps);
        offsets.seekToBeginning(tps);
    }

    /** True when the loop should sum the table now. */
    boolean due(Ends ends, CaughtUp caughtUp) throws Exception {
        long now = System.nanoTime();
        boolean due;
        if (everySecond) {
            due = now - lastSum > 1_000_000_000L || caughtUp.test(ends.read());
        } else if (now - lastSum > GUARD_NANOS) {
            due = true;
            byGuard = true;
        } else if (sourceDone()) {
            Map<Integer, Long> e = ends.read();
            due = !e.equals(summedAt) && caughtUp.test(e);
            if (due) {
                summedAt = e;
                byGuard = false;
            }
        } else {
            due = false;
        }
        if (due) {
            lastSum = now;
            sums++;
        }
        return due;
    }

    /** True when the latest sum was the 10 s guard's, not one the source's offsets and the sink's called for. */
    boolean lastSumByGuard() {
        return byGuard;
    }

    /** The table sums so far. */
    int sums() {
        return sums;
    }

    private boolean sourceDone() throws IOException {
        for (ConsumerRecord<byte[], byte[]> r : offsets.poll(Duration.ofMillis(1))) {
            if (r.key() == null || r.value() == null) {
                continue;
            }
            JsonNode key = JSON.readTree(r.key());
            if (!key.isArray() || key.size() != 2 || !connector.equals(key.get(0).asText())) {
                continue;
            }
            JsonNode position = JSON.readTree(r.value()).get("position");
            if (position != null && position.canConvertToLong()) {
                positions.merge(key.get(1).toString(), position.asLong(), Math::max);
            }
        }
        long covered = 0;
        for (long p : positions.values()) {
            covered += p;
        }
        return covered >= inputBytes;
    }

    @Override
    public void close() {
        if (offsets != null) {
            offsets.close();
        }
    }
}
