package io.logbunker.connect.testkit;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** What the integration tests ask of an EmbeddedConnectCluster, written once. */
public final class ClusterChecks {
    private ClusterChecks() {
    }

    /**
     * Starts a KRaft broker and {@code workers} distributed workers with exactly-once source support, fast task
     * failover and JSON converters; {@code workerProps} add to or override that. A one-broker cluster needs the
     * transaction log at replication factor 1, or the workers never come up with EOS on.
     */
    public static EmbeddedConnectCluster startEosCluster(String name, int workers, Map<String, String> workerProps) {
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", "enabled");
        worker.put("scheduled.rebalance.max.delay.ms", "1000");
        worker.put("offset.flush.interval.ms", "1000");
        worker.put("connector.client.config.override.policy", "All");
        worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.putAll(workerProps);
        java.util.Properties broker = new java.util.Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name(name).numWorkers(workers).workerProps(worker)
                .brokerProps(broker).build();
        connect.start();
        return connect;
    }

    /**
     * Counts the committed records of a topic: reads until at least {@code expected} arrived and then a little
     * longer, so that a surplus (a duplicate) is counted too.
     */
    public static long countRecords(EmbeddedConnectCluster connect, String topic, long expected) {
        return readValues(connect, topic, expected).size();
    }

    /**
     * The committed values of a topic from its start: read until {@code expected} arrived and nothing more came for
     * two seconds, or 30 s passed.
     */
    public static List<byte[]> readValues(EmbeddedConnectCluster connect, String topic, long expected) {
        Map<String, Object> props = new HashMap<>();
        props.put("isolation.level", "read_committed");
        props.put("auto.offset.reset", "earliest");
        props.put("group.id", "count-" + System.nanoTime());
        List<byte[]> values = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumerAndSubscribeTo(props, topic)) {
            int quiet = 0;
            while (System.nanoTime() < deadline && (values.size() < expected || quiet < 4)) {
                int before = values.size();
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
                quiet = values.size() == before ? quiet + 1 : 0;
            }
        }
        return values;
    }

    /** The worker that runs the first task of a connector. */
    public static WorkerHandle workerRunning(EmbeddedConnectCluster connect, String connector) {
        String workerId = connect.connectorStatus(connector).tasks().get(0).workerId();
        for (WorkerHandle w : connect.workers()) {
            if (workerId.endsWith(":" + w.url().getPort())) {
                return w;
            }
        }
        throw new AssertionError("no worker " + workerId + " among " + connect.workers());
    }

    /** A thread that records the first FAILED task (with its trace) of these connectors while {@code running}. */
    public static Thread failureWatcher(EmbeddedConnectCluster connect, AtomicBoolean running, AtomicReference<String> failed,
                                        String... connectors) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                for (String n : connectors) {
                    try {
                        ConnectorStateInfo s = connect.connectorStatus(n);
                        s.tasks().stream().filter(x -> "FAILED".equals(x.state())).findFirst()
                                .ifPresent(x -> failed.compareAndSet(null, n + ": " + x.trace()));
                    } catch (Exception e) {
                        // status is unavailable during rebalances and restarts
                    }
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "status-watcher");
        t.setDaemon(true);
        return t;
    }

    /** "key=requests/bytes" lines, for comparing totals with one readable diff. */
    public static String render(Map<String, long[]> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('=').append(v[0]).append('/').append(v[1]).append('\n'));
        return sb.toString();
    }
}
