package io.logbunker.connect.sink;

import io.logbunker.connect.sink.dialect.Dialect;
import io.logbunker.connect.sink.dialect.JdbcUrls;
import io.logbunker.connect.sink.engine.AggregateWriter;
import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MappedRow;
import io.logbunker.connect.sink.engine.RecordMapper;
import io.logbunker.connect.sink.engine.RecordMappingException;
import io.logbunker.connect.sink.engine.StoredOffsetsBehind;
import io.logbunker.connect.sink.engine.TableShape;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Thin Connect adapter around {@link AggregateWriter}: maps records, routes bad ones to the errant record
 * reporter, turns database outages into {@link RetriableException}s, seeks to the offsets stored in the
 * database on every assignment, and reports those offsets from {@link #preCommit}.
 */
public class AggregateUpsertSinkTask extends SinkTask {
    private static final Logger log = LoggerFactory.getLogger(AggregateUpsertSinkTask.class);

    private AggregateUpsertSinkConfig config;
    private RecordMapper mapper;
    private AggregateWriter writer;
    private ErrantRecordReporter reporter;
    private final Set<TableShape> checkedShapes = new HashSet<>();
    private final Set<TopicPartition> unopened = new HashSet<>();
    /** Partitions sought to a stored offset whose first delivered record has not been seen yet. */
    private final Map<TopicPartition, Long> seekTargets = new HashMap<>();
    private int consecutiveFailures;

    private SinkTaskMetrics metrics;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new AggregateUpsertSinkConfig(props);
        Dialect dialect = config.dialect();
        String connectorName = props.getOrDefault("name", "unnamed");
        mapper = new RecordMapper(config.getString(AggregateUpsertSinkConfig.TABLE_NAME_FORMAT), config.mergeOverrides(),
                config.getBoolean(AggregateUpsertSinkConfig.DELETE_ENABLED));
        String url = config.url();
        java.util.Properties jdbc = config.jdbcProperties();
        writer = new AggregateWriter(dialect, () -> JdbcDrivers.open(url, jdbc), connectorName,
                config.getString(AggregateUpsertSinkConfig.OFFSETS_TABLE), config.getBoolean(AggregateUpsertSinkConfig.AUTO_CREATE),
                config.getBoolean(AggregateUpsertSinkConfig.AUTO_EVOLVE), config.getInt(AggregateUpsertSinkConfig.BATCH_MAX_ROWS), 5);
        try {
            reporter = context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            reporter = null; // a worker older than Kafka 2.6
        }
        if (context.pluginMetrics() != null) {
            metrics = new SinkTaskMetrics(context.pluginMetrics());
        }
        log.info("Started aggregate upsert sink task for {} ({}), offsets in {}", JdbcUrls.redact(url), dialect.name(),
                config.getString(AggregateUpsertSinkConfig.OFFSETS_TABLE));
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        unopened.addAll(partitions);
        seekToStoredOffsets();
    }

    /** Seeks to the offsets the database holds; if it is down now, the next put() does it (and skips below them). */
    private void seekToStoredOffsets() {
        if (unopened.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, Long> stored = writer.open(unopened);
            for (Map.Entry<TopicPartition, Long> e : stored.entrySet()) {
                if (e.getValue() >= 0) {
                    context.offset(e.getKey(), e.getValue());
                    seekTargets.put(e.getKey(), e.getValue());
                }
            }
            log.info("Assigned {}; resuming from the offsets stored in the database: {}", unopened, stored);
            unopened.clear();
        } catch (SQLException e) {
            writer.closeConnection();
            log.warn("Cannot read the stored offsets of {} now ({}); records below them are skipped when the database is back",
                    unopened, e.getMessage());
        }
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        writer.forget(partitions);
        unopened.removeAll(partitions);
        partitions.forEach(seekTargets::remove);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        seekToStoredOffsets();
        List<MappedRow> rows = new ArrayList<>(records.size());
        Map<TopicPartition, Long> batchEnds = new HashMap<>();
        List<Future<Void>> reported = new ArrayList<>();
        for (SinkRecord r : records) {
            // the consumer's coordinates: an SMT may rename the topic (RegexRouter), the offsets are the consumer's
            TopicPartition tp = new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
            checkFirstRecordAfterSeek(tp, r.originalKafkaOffset());
            batchEnds.merge(tp, r.originalKafkaOffset() + 1, Math::max);
            if (writer.alreadyApplied(tp, r.originalKafkaOffset())) {
                continue; // a redelivery; never report a bad record twice either
            }
            try {
                List<MappedRow> mapped = mapper.mapAll(r);
                for (MappedRow row : mapped) {
                    checkIdentifiers(row.shape(), r.topic());
                }
                rows.addAll(mapped); // all of a record's rows, or none
            } catch (RecordMappingException | IllegalArgumentException e) {
                reported.add(reportOrFail(r, e.getMessage(), e));
            }
        }
        awaitReports(reported);
        try {
            write(records, rows, batchEnds);
        } catch (StoredOffsetsBehind e) {
            rewind(e);
        }
    }

    /**
     * The database lost transactions this task committed: it seeks every partition of the batch back to the offset the
     * database holds, so that Connect delivers those records again and the lost ones are counted after all.
     */
    private void rewind(StoredOffsetsBehind e) {
        log.warn(e.getMessage());
        e.rewindTo().forEach((tp, offset) -> {
            context.offset(tp, offset);
            seekTargets.put(tp, offset);
        });
    }

    private void write(Collection<SinkRecord> records, List<MappedRow> rows, Map<TopicPartition, Long> batchEnds) {
        try {
            AggregateWriter.Outcome outcome = writer.write(rows, batchEnds);
            consecutiveFailures = 0;
            if (metrics != null) {
                metrics.written(rows, outcome.rowsUpserted());
            }
            if (outcome.recordsSkipped() > 0) {
                log.info("Skipped {} records that the database already holds (redelivery)", outcome.recordsSkipped());
            }
            log.debug("Committed {} records as {} upserted rows", outcome.recordsApplied(), outcome.rowsUpserted());
        } catch (SQLException e) {
            Dialect d = writer.dialect();
            failIfNotTheRecords(e);
            if (d.isConnectionProblem(e) || d.isTransactionConflict(e)) {
                writer.closeConnection();
                consecutiveFailures++;
                int max = config.getInt(AggregateUpsertSinkConfig.MAX_RETRIES);
                if (consecutiveFailures > max) {
                    throw new ConnectException("The database at " + JdbcUrls.redact(config.url()) + " failed " + consecutiveFailures
                            + " times in a row (max.retries=" + max + "): " + e.getMessage() + ". Nothing was lost: restart the task "
                            + "when the database is back and it resumes from the offsets stored there.", e);
                }
                long backoff = config.getLong(AggregateUpsertSinkConfig.RETRY_BACKOFF_MS);
                log.warn("Database unavailable ({}); retry {} of {} in {} ms. Nothing was committed and nothing is lost.",
                        e.getMessage(), consecutiveFailures, max, backoff);
                context.timeout(backoff);
                throw new RetriableException(e);
            }
            handleDataError(records, rows, batchEnds, e);
        }
    }

    /**
     * After seeking to the offset the database holds, the consumer must deliver that offset (or a later one, when
     * records in between were compacted away or were transaction markers). An earlier one means the seek failed
     * because the offset is beyond the end of the partition: the topic was deleted and re-created or truncated.
     * Skipping would silently drop every new record, so the task stops with what to do.
     */
    private void checkFirstRecordAfterSeek(TopicPartition tp, long offset) {
        Long target = seekTargets.remove(tp);
        if (target == null) {
            return;
        }
        if (offset < target) {
            throw new ConnectException("The database's offsets table says " + tp + " continues at offset " + target + ", but Kafka "
                    + "delivered offset " + offset + " after the sink sought there: the partition ends below " + target
                    + ", so the topic was probably deleted and re-created. Nothing was written. If the old data in the table "
                    + "should stay and the new topic be added to it, delete the rows of topic '" + tp.topic() + "' from "
                    + config.getString(AggregateUpsertSinkConfig.OFFSETS_TABLE) + " and restart the task.");
        }
        if (offset == target + 1) {
            // an exactly-once producer's commit marker follows the last record of each transaction
            log.info("{}: continuing at offset {}; offset {}, where the database continues, holds no record (a transaction "
                    + "marker of an exactly-once producer, or one record removed by compaction)", tp, offset, target);
        } else if (offset > target) {
            log.warn("{}: the database continues at offset {} but the first record available is {}: the offsets in between hold "
                    + "no record this sink can read, either aborted transactions and their markers or records deleted from "
                    + "Kafka (retention or compaction) before this sink applied them", tp, target, offset);
        }
    }

    /**
     * A write that cannot succeed on retry (constraint, type or size violation). With an errant record reporter the
     * batch is written record by record and only the failing records are reported; otherwise the task fails.
     */
    private void handleDataError(Collection<SinkRecord> records, List<MappedRow> rows, Map<TopicPartition, Long> batchEnds,
                                 SQLException cause) {
        if (reporter == null) {
            throw new ConnectException("Writing a batch of " + records.size() + " records from " + batchEnds.keySet() + " failed: "
                    + cause.getMessage() + " (SQLState " + cause.getSQLState() + "). Fix the table or the data, or set "
                    + "errors.tolerance=all with errors.deadletterqueue.topic.name to route such records to a DLQ.", cause);
        }
        log.warn("Batch failed with a data error ({}); writing its records one by one to find the bad ones", cause.getMessage());
        Map<String, SinkRecord> byPosition = new HashMap<>();
        for (SinkRecord r : records) {
            byPosition.put(position(r.originalTopic(), r.originalKafkaPartition(), r.originalKafkaOffset()), r);
        }
        // a record's rows in one write: its offset is stored with the first, and would make the writer skip the rest
        Map<String, List<MappedRow>> byRecord = new java.util.LinkedHashMap<>();
        for (MappedRow row : rows) {
            byRecord.computeIfAbsent(position(row.topic(), row.partition(), row.offset()), k -> new ArrayList<>()).add(row);
        }
        for (List<MappedRow> recordRows : byRecord.values()) {
            MappedRow row = recordRows.get(0);
            TopicPartition tp = new TopicPartition(row.topic(), row.partition());
            try {
                writer.write(recordRows, Map.of(tp, row.offset() + 1));
            } catch (SQLException e) {
                failIfNotTheRecords(e);
                if (writer.dialect().isConnectionProblem(e)) {
                    writer.closeConnection();
                    context.timeout(config.getLong(AggregateUpsertSinkConfig.RETRY_BACKOFF_MS));
                    throw new RetriableException(e);
                }
                SinkRecord bad = byPosition.get(position(row.topic(), row.partition(), row.offset()));
                awaitReports(List.of(reportOrFail(bad, "the database refused it: " + e.getMessage(), e)));
                try {
                    writer.write(List.of(), Map.of(tp, row.offset() + 1)); // move past it
                } catch (SQLException again) {
                    writer.closeConnection();
                    throw new RetriableException(again);
                }
            }
        }
        try {
            writer.write(List.of(), batchEnds);
        } catch (SQLException e) {
            writer.closeConnection();
            throw new RetriableException(e);
        }
    }

    /** A record's Kafka coordinates, which its rows carry too. */
    private static String position(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }

    /** Failures no record causes, which no DLQ may take records for: a refused user, a table that is not there. */
    private void failIfNotTheRecords(SQLException e) {
        if (writer.dialect().isAccessProblem(e)) {
            throw accessFailure(e);
        }
        if (writer.dialect().isMissingTable(e)) {
            writer.closeConnection();
            throw new ConnectException("A table this sink writes does not exist: " + e.getMessage() + ". Create it, or set "
                    + "auto.create=true. If the offsets table " + config.getString(AggregateUpsertSinkConfig.OFFSETS_TABLE)
                    + " was dropped, restore it (or its rows) before restarting the task: without them the task cannot tell which "
                    + "records the data tables already hold. Nothing of this batch was written and nothing is lost.", e);
        }
    }

    private ConnectException accessFailure(SQLException e) {
        writer.closeConnection();
        return new ConnectException("The database at " + JdbcUrls.redact(config.url()) + " refused the connector's user: " + e.getMessage()
                + " (SQLState " + e.getSQLState() + "). Check connection.user and connection.password (or the secret its config "
                + "provider reads), and that the user may create and write the tables. Nothing was written and nothing is lost: "
                + "restart the task once this is fixed.", e);
    }

    private Future<Void> reportOrFail(SinkRecord r, String problem, Exception cause) {
        String where = "topic " + r.originalTopic() + ", partition " + r.originalKafkaPartition() + ", offset " + r.originalKafkaOffset();
        if (reporter == null) {
            throw new ConnectException("Bad record at " + where + ": " + problem + ". Fix the producer, or set errors.tolerance=all "
                    + "and errors.deadletterqueue.topic.name to route such records to a dead letter queue.", cause);
        }
        log.warn("Reporting bad record at {}: {}", where, problem);
        return reporter.report(r, new ConnectException("Bad record at " + where + ": " + problem, cause));
    }

    private static void awaitReports(List<Future<Void>> futures) {
        // the DLQ write must be durable before the database offset passes the record
        for (Future<Void> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableException("interrupted while reporting a bad record", e);
            } catch (ExecutionException e) {
                throw new ConnectException("Could not write a bad record to the dead letter queue", e.getCause());
            }
        }
    }

    /**
     * A table name comes from table.name.format, so a name the database cannot take fails the task with what to
     * change, instead of sending every record of the topic to the DLQ; a column name comes from one record's schema,
     * so that record is reported.
     */
    private void checkIdentifiers(TableShape shape, String topic) {
        if (checkedShapes.contains(shape)) {
            return;
        }
        Dialect d = writer.dialect();
        try {
            d.validateIdentifier(shape.table());
        } catch (IllegalArgumentException e) {
            String format = config.getString(AggregateUpsertSinkConfig.TABLE_NAME_FORMAT);
            throw new ConnectException("The table for topic '" + topic + "' cannot be created: " + e.getMessage() + ". Set a "
                    + AggregateUpsertSinkConfig.TABLE_NAME_FORMAT + " (now '" + format + "') that makes a valid name, a shorter "
                    + "one when it is too long. Nothing was written and nothing is lost: restart the task after the change.");
        }
        try {
            for (Column c : shape.columns()) {
                d.validateIdentifier(c.name());
            }
        } catch (IllegalArgumentException e) {
            throw new RecordMappingException("cannot be written: " + e.getMessage());
        }
        checkedShapes.add(shape);
    }

    /** Reports the offsets the database holds, so consumer lag shows what is really applied. */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        try {
            writer.checkStoredOffsets(currentOffsets.keySet());
        } catch (StoredOffsetsBehind e) {
            rewind(e);
        } catch (SQLException e) {
            writer.closeConnection(); // the next put() meets the problem and handles it
            log.debug("Cannot check the stored offsets now: {}", e.getMessage());
        }
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        Map<TopicPartition, Long> committed = writer.committedOffsets();
        for (TopicPartition tp : currentOffsets.keySet()) {
            Long next = committed.get(tp);
            if (next != null && next >= 0) {
                result.put(tp, new OffsetAndMetadata(next));
            }
        }
        return result;
    }

    @Override
    public void stop() {
        if (writer != null) {
            writer.close();
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
    }
}
