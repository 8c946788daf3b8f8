package io.logbunker.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The benchmark broker's topics: created, measured, read to their end and dropped through one admin client. */
final class BenchTopics implements AutoCloseable {
    private final int kafkaPort;
    /** The broker's log directory: a topic's bytes on disk. */
    private final Path logDir;
    private Admin admin;

    BenchTopics(int kafkaPort, Path logDir) {
        this.kafkaPort = kafkaPort;
        this.logDir = logDir;
    }

    /** Deletes a run's topic, so that the runs' topics do not pile up in the page cache and on disk. */
    void drop(String topic) throws Exception {
        admin().deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
    }

    /**
     * Reads a topic with {@code read_committed} from the start to its end offsets; returns the number of records and
     * fills {@code nextAfterLast} with, per partition, the offset after its last committed record.
     */
    long readCommitted(String topic, int partitions, Map<TopicPartition, Long> nextAfterLast) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
        p.put("isolation.level", "read_committed");
        p.put("max.poll.records", "10000");
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        long count = 0;
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                p, new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in 5 minutes");
                }
                for (var rec : consumer.poll(java.time.Duration.ofMillis(500))) {
                    count++;
                    nextAfterLast.merge(new TopicPartition(rec.topic(), rec.partition()), rec.offset() + 1, Math::max);
                }
            }
        }
        return count;
    }

    /** The topic's last stable offsets (what a read_committed consumer can read up to), by partition. */
    Map<Integer, Long> stableEnds(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        admin().listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    /** The committed records of a topic and their serialized value bytes (uncompressed), read once to the end. */
    long[] committedRecords(String topic, int partitions) throws Exception {
        return committedRecords(topic, partitions, Map.of());
    }

    /** The same from the offsets in {@code from} (by partition; from the start where it has none). */
    long[] committedRecords(String topic, int partitions, Map<Integer, Long> from) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put("max.poll.records", "10000");
        long end = endOffset(topic, partitions);
        long records = 0;
        long bytes = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            for (TopicPartition tp : tps) {
                if (from.containsKey(tp.partition())) {
                    consumer.seek(tp, from.get(tp.partition()));
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (tps.stream().mapToLong(consumer::position).sum() < end && System.nanoTime() < deadline) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
                    records++;
                    bytes += r.serializedValueSize();
                }
            }
        }
        return new long[] {records, bytes};
    }

    /** Sum of the committed offsets of a consumer group (0 before it has committed). */
    long committed(String group) throws Exception {
        return admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).values().stream()
                .filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum();
    }

    long bytes(String topic) throws IOException {
        long bytes = 0;
        try (Stream<Path> dirs = Files.list(logDir)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(topic) + "-\\d+"))
                    .collect(Collectors.toList())) {
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".log")).collect(Collectors.toList())) {
                        bytes += Files.size(f);
                    }
                }
            }
        }
        return bytes;
    }

    private Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
            admin = Admin.create(p);
        }
        return admin;
    }

    void create(String topic, int partitions) throws Exception {
        // deleted right away when dropped (not 60 s later, in the middle of the next run)
        admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1)
                .configs(Map.of("file.delete.delay.ms", "0")))).all().get(30, TimeUnit.SECONDS);
    }

    /** The sum of the partitions' end offsets. */
    long endOffset(String topic, int partitions) throws Exception {
        return endOffsets(topic, partitions).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The end offset of each partition. */
    Map<Integer, Long> endOffsets(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    /** Deletes a topic's records below its partitions' current end offsets: a kept topic's disk, freed between runs. */
    void deleteRecords(String topic, int partitions) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> before = new HashMap<>();
        endOffsets(topic, partitions).forEach((p, end) -> before.put(new TopicPartition(topic, p),
                org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(end)));
        admin().deleteRecords(before).all().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
