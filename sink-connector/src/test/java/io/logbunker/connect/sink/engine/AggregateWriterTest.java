package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.SqliteDialect;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AggregateWriter's transaction on a real SQLite file: which rows of a batch it skips as already stored, per topic and
 * partition, and the tables it makes ready for the shapes in a batch. The behaviour suite covers it through the task
 * on every database.
 */
class AggregateWriterTest {
    @TempDir
    Path dir;

    private static final Column WINDOW = new Column("window_start", Schema.INT64_SCHEMA, MergeFunction.KEY);
    private static final Column REQUESTS = new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM);
    private static final Column BYTES = new Column("bytes_sent", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM);
    private static final TableShape NARROW = new TableShape("m", List.of(WINDOW, REQUESTS));
    private static final TableShape WIDE = new TableShape("m", List.of(WINDOW, REQUESTS, BYTES));

    private AggregateWriter writer;

    @BeforeEach
    void open() {
        writer = new AggregateWriter(new SqliteDialect(), this::connect, "c", "offsets", true, true, 1000, 3);
    }

    @AfterEach
    void close() {
        writer.close();
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"));
    }

    private static MappedRow row(TableShape shape, String topic, int partition, long offset, long window, long requests) {
        Object[] values = shape == WIDE ? new Object[] {window, requests, 10L} : new Object[] {window, requests};
        return new MappedRow(shape, values, false, topic, partition, offset);
    }

    private long scalar(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void skipsExactlyTheRowsBelowEachTopicPartitionsStoredOffsetWhenPartitionsInterleave() throws Exception {
        TopicPartition t0 = new TopicPartition("t", 0);
        TopicPartition t1 = new TopicPartition("t", 1);
        TopicPartition u0 = new TopicPartition("u", 0);
        writer.open(List.of(t0, t1, u0));
        writer.write(List.of(row(NARROW, "t", 0, 0, 1, 1), row(NARROW, "t", 0, 4, 2, 1)), Map.of(t0, 5L));

        // a redelivery of t-0's offsets 3 and 4 among new rows of t-1, t-0 and u-0 (partition 0 of another topic)
        AggregateWriter.Outcome out = writer.write(List.of(
                row(NARROW, "t", 0, 3, 1, 100),
                row(NARROW, "t", 1, 0, 1, 1),
                row(NARROW, "t", 0, 5, 1, 1),
                row(NARROW, "u", 0, 0, 2, 1),
                row(NARROW, "u", 0, 1, 2, 1),
                row(NARROW, "t", 0, 4, 2, 100),
                row(NARROW, "t", 1, 1, 2, 1)), Map.of(t0, 6L, t1, 2L, u0, 2L));

        assertEquals(2, out.recordsSkipped());
        assertEquals(5, out.recordsApplied());
        assertEquals(3, scalar("SELECT requests FROM m WHERE window_start = 1"));
        assertEquals(4, scalar("SELECT requests FROM m WHERE window_start = 2"));
        assertEquals(Map.of(t0, 6L, t1, 2L, u0, 2L), writer.committedOffsets());
    }

    @Test
    void aBatchWhoseRowsAlternateBetweenTwoShapesOfATableWidensItAndWritesEveryRow() throws Exception {
        TopicPartition t0 = new TopicPartition("t", 0);
        writer.open(List.of(t0));
        writer.write(List.of(row(NARROW, "t", 0, 0, 1, 1), row(WIDE, "t", 0, 1, 1, 1), row(NARROW, "t", 0, 2, 2, 1),
                row(WIDE, "t", 0, 3, 2, 1), row(NARROW, "t", 0, 4, 3, 1)), Map.of(t0, 5L));

        try (Connection c = connect()) {
            assertTrue(new SqliteDialect().existingColumns(c, "m").contains("bytes_sent"));
        }
        assertEquals(5, scalar("SELECT SUM(requests) FROM m"));
        assertEquals(20, scalar("SELECT SUM(bytes_sent) FROM m"));
        assertEquals(3, scalar("SELECT COUNT(*) FROM m"));
    }
}
