package io.logbunker.connect.source;

import io.logbunker.connect.source.tail.AccessLogTailer;
import io.logbunker.connect.source.tail.FlushBatch;
import io.logbunker.connect.source.tail.LineRejectedException;
import io.logbunker.connect.source.tail.RejectedLine;
import io.logbunker.connect.source.tail.SourceOffset;
import io.logbunker.connect.source.tail.StoredOffsets;
import io.logbunker.connect.source.window.AggregateRow;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Thin Connect adapter around {@link AccessLogTailer}: turns each flush batch into records that all carry the
 * batch's end position as their source offset, and returns whole batches from one poll so that a poll-bounded
 * exactly-once transaction never splits a range.
 */
public class AccessLogSourceTask extends SourceTask {
    private static final Logger log = LoggerFactory.getLogger(AccessLogSourceTask.class);


    public static final String HEADER_FILE = "logbunker.file";
    public static final String HEADER_IDENTITY = "logbunker.identity";
    public static final String HEADER_OFFSET = "logbunker.offset";
    public static final String HEADER_REASON = "logbunker.reason";
    public static final String HEADER_LINE_BYTES = "logbunker.line.bytes";

    private final Time time;
    private final Object lock = new Object();
    private final CountDownLatch stopLatch = new CountDownLatch(1);
    private volatile boolean stopping;

    private AccessLogSourceConfig config;
    private AccessLogTailer tailer;
    private AggregateSchemas schemas;
    private SourceTaskMetrics metrics;

    public AccessLogSourceTask() {
        this(Time.SYSTEM);
    }

    /** For tests that control the clock that closes windows. */
    AccessLogSourceTask(Time time) {
        this.time = time;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new AccessLogSourceConfig(props);
        StoredOffsets stored = identity -> {
            Map<String, Object> o = context.offsetStorageReader().offset(SourceOffset.partition(identity));
            if (o == null) {
                return null;
            }
            try {
                return SourceOffset.fromMap(o);
            } catch (IllegalArgumentException e) {
                log.warn("The stored offset of identity {} is unusable ({}); the file starts per start.position", identity,
                        e.getMessage());
                return null;
            }
        };
        tailer = new AccessLogTailer(config.tailerSettings(), time, stored);
        schemas = new AggregateSchemas(config.fileDimensions().names(), config.groupBy(), tailer.fields(),
                config.tailerSettings().metricSpec());
        if (context.pluginMetrics() != null) {
            metrics = new SourceTaskMetrics(context.pluginMetrics(), tailer);
        }
        warnIfHostIsNotThisMachine(config.hostName());
        log.info("Started access-log source task {} of {} for {}", config.tailerSettings().taskIndex() + 1,
                config.tailerSettings().taskCount(), config.tailerSettings().includes());
    }

    /**
     * A connector cannot see which worker its tasks land on, so a fixed host.name in a cluster of several log hosts
     * cannot be refused at validation; the task that runs on another machine than the one named says so.
     */
    private static void warnIfHostIsNotThisMachine(String hostName) {
        String machine;
        try {
            machine = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            try {
                machine = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException unknown) {
                return;
            }
        }
        hostMismatch(hostName, machine).ifPresent(log::warn);
    }

    /** The warning for a host.name that is not the name of the machine the task runs on; empty when it is (or unset). */
    static java.util.Optional<String> hostMismatch(String hostName, String machine) {
        if (hostName.isEmpty() || machine.equals(hostName) || machine.startsWith(hostName + ".")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("host.name is '" + hostName + "' but this task runs on '" + machine + "': every line this task "
                + "reads from this machine's files is counted as '" + hostName + "'. That is right only if it is a name you gave "
                + "this machine on purpose. In a Connect cluster whose workers are on different log hosts, Connect may place a "
                + "per-host connector's task on any of them: run one Connect cluster per log host, with "
                + "host.name=${env:HOSTNAME} (README, 'Running on a fleet').");
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        List<SourceRecord> records;
        boolean backlog;
        long untilFlush;
        synchronized (lock) {
            if (stopping) {
                return null;
            }
            List<FlushBatch> batches;
            try {
                batches = tailer.poll();
            } catch (IOException | UncheckedIOException e) {
                throw new ConnectException("Cannot read the access logs " + config.tailerSettings().includes() + ": " + e.getMessage()
                        + ". Check that the Connect worker's user can read the files and their directories, then restart "
                        + "the task (POST /connectors/<name>/tasks/<n>/restart); offsets are exact, nothing is lost.", e);
            } catch (LineRejectedException e) {
                throw new ConnectException(e.getMessage(), e);
            }
            records = toRecords(batches);
            backlog = tailer.hasBacklog();
            untilFlush = tailer.millisUntilFlushDue();
            if (metrics != null) {
                metrics.update();
            }
        }
        if (records.isEmpty()) {
            if (!backlog) {
                // until the next poll, or until an open range is due (idle or max interval), whichever is first
                stopLatch.await(Math.max(1, Math.min(config.pollIntervalMs(), untilFlush)), TimeUnit.MILLISECONDS);
            }
            return null;
        }
        return records;
    }

    List<SourceRecord> toRecords(List<FlushBatch> batches) {
        if (batches.isEmpty()) {
            return Collections.emptyList();
        }
        List<SourceRecord> records = new ArrayList<>();
        String errorsTopic = config.errorsTopic();
        String topic = config.topic();
        int rowsPerRecord = config.rowsPerRecord();
        for (FlushBatch b : batches) {
            Map<String, String> partition = SourceOffset.partition(b.identity());
            Map<String, Object> offset = new SourceOffset(b.endPosition(), b.check(), b.path().toString(), tailer.epochMs())
                    .toMap();
            if (rowsPerRecord == 1) {
                for (AggregateRow row : b.rows()) {
                    Date windowStart = new Date(row.windowStart());
                    records.add(new SourceRecord(partition, offset, topic, null, schemas.keySchema, schemas.key(row, windowStart),
                            schemas.valueSchema, schemas.value(row, windowStart)));
                }
            } else {
                // every record of the batch carries the batch's end offset: the rows count once it is committed
                for (List<AggregateRow> part : BatchRecords.split(b.rows(), rowsPerRecord, BatchRecords.MAX_BYTES)) {
                    List<Struct> values = new ArrayList<>(part.size());
                    for (AggregateRow row : part) {
                        values.add(schemas.value(row, new Date(row.windowStart())));
                    }
                    records.add(new SourceRecord(partition, offset, topic, null, null, null, schemas.batchSchema, values));
                }
            }
            if (!errorsTopic.isEmpty()) {
                for (RejectedLine r : b.rejects()) {
                    ConnectHeaders headers = new ConnectHeaders();
                    headers.addString(HEADER_FILE, b.path().toString());
                    headers.addString(HEADER_IDENTITY, b.identity());
                    headers.addLong(HEADER_OFFSET, r.offset());
                    headers.addString(HEADER_REASON, r.reason());
                    headers.addLong(HEADER_LINE_BYTES, r.length());
                    records.add(new SourceRecord(partition, offset, errorsTopic, null, Schema.STRING_SCHEMA, b.path().toString(),
                            Schema.BYTES_SCHEMA, r.bytes(), null, headers));
                }
            }
        }
        return records;
    }

    @Override
    public void stop() {
        stopping = true;
        stopLatch.countDown();
        synchronized (lock) {
            if (metrics != null) {
                metrics.close();
            }
            if (tailer != null) {
                tailer.close();
            }
        }
    }
}
