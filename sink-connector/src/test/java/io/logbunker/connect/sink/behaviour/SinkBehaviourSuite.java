package io.logbunker.connect.sink.behaviour;

import io.logbunker.connect.testkit.TestDatabase;
import io.logbunker.connect.sink.AggregateUpsertSinkTask;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.logbunker.connect.sink.dialect.Dialect;
import io.logbunker.connect.sink.dialect.JdbcUrls;
import io.logbunker.connect.sink.dialect.QuantileSql;
import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MergeFunction;
import io.logbunker.connect.sink.engine.TableShape;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One behaviour suite for every database: each subclass names a real server. Tasks are real; only Connect's
 * context is faked.
 */
abstract class SinkBehaviourSuite {
    static final Schema KEY = SchemaBuilder.struct().name("k")
            .field("window_start", Timestamp.builder().parameter("merge", "key").build())
            .field("status", SchemaBuilder.string().parameter("merge", "key").build()).build();
    static final Schema VALUE = SchemaBuilder.struct().name("v")
            .field("window_start", Timestamp.builder().parameter("merge", "key").build())
            .field("status", SchemaBuilder.string().parameter("merge", "key").build())
            .field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
            .field("bytes_sent", SchemaBuilder.int64().optional().parameter("merge", "sum").build())
            .field("rt_min", SchemaBuilder.float64().optional().parameter("merge", "min").build())
            .field("rt_max", SchemaBuilder.float64().optional().parameter("merge", "max").build())
            .field("label", SchemaBuilder.string().optional().build()).build();
    static final long W0 = 1_795_860_000_000L;
    /** A record of several rows, as the source writes with rows.per.record above 1. */
    static final Schema BATCH = SchemaBuilder.array(VALUE).name("b").parameter("merge", "rows").build();

    final TestDatabase db = database();
    final List<AggregateUpsertSinkTask> tasks = new ArrayList<>();
    String topic;
    String connector;

    abstract TestDatabase database();

    /** Config overrides that connect as a user who may not create or write tables (set up by the subclass). */
    abstract Map<String, String> withoutWritePrivilege() throws Exception;

    /** A JDBC URL of this dialect that nothing listens on, or null where that makes no sense (SQLite). */
    abstract String unreachableUrl();

    @BeforeEach
    void names() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        topic = "metrics_" + id;
        connector = "sink-" + id;
    }

    @AfterEach
    void cleanup() throws SQLException {
        tasks.forEach(AggregateUpsertSinkTask::stop);
        db.dropTable(topic);
    }

    AggregateUpsertSinkTask task(FakeSinkContext ctx, Map<String, String> extra, TopicPartition... assigned) {
        AggregateUpsertSinkTask t = new AggregateUpsertSinkTask();
        t.initialize(ctx);
        Map<String, String> cfg = db.sinkConfig(connector);
        cfg.putAll(extra);
        t.start(cfg);
        ctx.assignment.addAll(List.of(assigned));
        t.open(List.of(assigned));
        tasks.add(t);
        return t;
    }

    AggregateUpsertSinkTask task(FakeSinkContext ctx, TopicPartition... assigned) {
        return task(ctx, Map.of(), assigned);
    }

    static Struct key(long window, String status) {
        return new Struct(KEY).put("window_start", new Date(window)).put("status", status);
    }

    static Struct value(long window, String status, long requests, Long bytes, Double rtMin, Double rtMax, String label) {
        return new Struct(VALUE).put("window_start", new Date(window)).put("status", status).put("requests", requests)
                .put("bytes_sent", bytes).put("rt_min", rtMin).put("rt_max", rtMax).put("label", label);
    }

    SinkRecord rec(int partition, long offset, long window, String status, long requests, Long bytes) {
        return new SinkRecord(topic, partition, KEY, key(window, status), VALUE, value(window, status, requests, bytes, null, null, null),
                offset);
    }

    long total(String column) throws SQLException {
        return db.scalarLong("SELECT COALESCE(SUM(" + db.q(column) + "), 0) FROM " + db.q(topic));
    }

    long rows() throws SQLException {
        return db.scalarLong("SELECT COUNT(*) FROM " + db.q(topic));
    }

    long storedOffset(int partition) throws SQLException {
        return db.scalarLong("SELECT next_offset FROM logbunker_sink_offsets WHERE connector_name = '" + connector
                + "' AND topic = '" + topic + "' AND kafka_partition = " + partition);
    }

    @Test
    void duplicateKeysInOneBatchArePreMergedAndSummedExactly() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        List<SinkRecord> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.add(rec(0, i, W0 + (i % 3) * 60_000, i % 2 == 0 ? "200" : "404", 10 + i, (long) i));
        }
        t.put(batch);
        assertEquals(6, rows());
        assertEquals(500 * 10 + 499 * 500 / 2, total("requests"));
        assertEquals(499 * 500 / 2, total("bytes_sent"));
        assertEquals(500, storedOffset(0));
    }

    @Test
    void partialsArrivingOutOfOrderMergeWithSumMinMaxAndReplace() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        t.put(List.of(new SinkRecord(topic, 0, KEY, key(W0 + 60_000, "200"), VALUE,
                value(W0 + 60_000, "200", 5, 50L, 0.5, 0.9, "first"), 0)));
        t.put(List.of(new SinkRecord(topic, 0, KEY, key(W0, "200"), VALUE, value(W0, "200", 1, 1L, 0.2, 0.3, "x"), 1),
                new SinkRecord(topic, 0, KEY, key(W0 + 60_000, "200"), VALUE, value(W0 + 60_000, "200", 7, 70L, 0.1, 2.5, "second"), 2)));
        t.put(List.of(new SinkRecord(topic, 0, KEY, key(W0 + 60_000, "200"), VALUE,
                value(W0 + 60_000, "200", 1, 1L, 0.7, 0.8, null), 3)));
        String where = " FROM " + db.q(topic) + " WHERE " + db.q("requests") + " = 13";
        assertEquals(1, db.scalarLong("SELECT COUNT(*)" + where));
        assertEquals(121, db.scalarLong("SELECT " + db.q("bytes_sent") + where));
        assertEquals(0.1, ((Number) db.scalar("SELECT " + db.q("rt_min") + where)).doubleValue(), 1e-12);
        assertEquals(2.5, ((Number) db.scalar("SELECT " + db.q("rt_max") + where)).doubleValue(), 1e-12);
        assertEquals("second", db.scalar("SELECT " + db.q("label") + where), "replace keeps the newest non-null value");
        assertEquals(14, total("requests"));
    }

    @Test
    void nullMetricsNeverEraseStoredValues() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        t.put(List.of(new SinkRecord(topic, 0, KEY, key(W0, "200"), VALUE, value(W0, "200", 1, null, null, null, null), 0)));
        t.put(List.of(new SinkRecord(topic, 0, KEY, key(W0, "200"), VALUE, value(W0, "200", 1, 10L, 0.5, 0.5, "a"), 1)));
        t.put(List.of(new SinkRecord(topic, 0, KEY, key(W0, "200"), VALUE, value(W0, "200", 1, null, null, null, null), 2),
                new SinkRecord(topic, 0, KEY, key(W0, "500"), VALUE, value(W0, "500", 1, null, null, null, null), 3)));
        assertEquals(10, total("bytes_sent"));
        assertEquals(0.5, ((Number) db.scalar("SELECT " + db.q("rt_min") + " FROM " + db.q(topic) + " WHERE " + db.q("status")
                + " = '200'")).doubleValue());
        assertEquals("a", db.scalar("SELECT " + db.q("label") + " FROM " + db.q(topic) + " WHERE " + db.q("status") + " = '200'"));
        assertNull(db.scalar("SELECT " + db.q("bytes_sent") + " FROM " + db.q(topic) + " WHERE " + db.q("status") + " = '500'"));
    }

    @Test
    void textKeysAreDistinctAndSortByTheirBytesOnEveryDatabase() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        List<String> statuses = List.of("\u00e9", "a", "z", "a ", "B", "e", "A"); // "a " is no "a": no padding either
        List<SinkRecord> batch = new ArrayList<>();
        for (int i = 0; i < statuses.size(); i++) {
            batch.add(rec(0, i, W0, statuses.get(i), 1, 1L));
        }
        t.put(batch);
        assertEquals(List.of("A", "B", "a", "a ", "e", "z", "\u00e9"), statusesInOrder(),
                "the sink's tables compare text as bytes (code points), whatever the database's default collation");
    }

    /** The table of the suite's records as the sink reads it: window_start and status are its key. */
    TableShape statusShape() {
        return new TableShape(topic, List.of(new Column("window_start", Timestamp.SCHEMA, MergeFunction.KEY),
                new Column("status", Schema.STRING_SCHEMA, MergeFunction.KEY),
                new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM)));
    }

    /** The dialect as a task has it, initialized on {@code c}. */
    Dialect dialect(Connection c) throws SQLException {
        Dialect d = JdbcUrls.dialectFor(db.url());
        d.initialize(c);
        return d;
    }

    /** The one piece of advice on the suite's table, after running the statement it gives: then nothing is left. */
    String adviceFollowedOnce(Connection c) throws SQLException {
        Dialect d = dialect(c);
        List<String> advice = d.adviceOn(c, statusShape());
        assertEquals(1, advice.size(), advice.toString());
        String text = advice.get(0);
        try (Statement st = c.createStatement()) {
            st.execute(text.substring(text.indexOf("ALTER TABLE ")));
        }
        assertEquals(List.of(), d.adviceOn(c, statusShape()), "converted, nothing is left to advise");
        return text;
    }

    @Test
    void tablesTheSinkCreatesNeedNoAdvice() throws Exception {
        task(new FakeSinkContext(), new TopicPartition(topic, 0)).put(List.of(rec(0, 0, W0, "200", 1, 1L)));
        try (Connection c = db.connect()) {
            assertEquals(List.of(), dialect(c).adviceOn(c, statusShape()));
        }
    }

    List<String> statusesInOrder() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + db.q("status") + " FROM " + db.q(topic) + " ORDER BY " + db.q("status"))) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void newValueFieldsAreAddedWhenEvolveIsOnAndRefusedWhenOff() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, tp);
        t.put(List.of(rec(0, 0, W0, "200", 1, 1L)));
        Schema v2 = SchemaBuilder.struct().name("v2")
                .field("window_start", Timestamp.builder().parameter("merge", "key").build())
                .field("status", SchemaBuilder.string().parameter("merge", "key").build())
                .field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
                .field("errors", SchemaBuilder.int64().optional().parameter("merge", "sum").build()).build();
        Struct val = new Struct(v2).put("window_start", new Date(W0)).put("status", "200").put("requests", 2L).put("errors", 3L);
        t.put(List.of(new SinkRecord(topic, 0, KEY, key(W0, "200"), v2, val, 1), new SinkRecord(topic, 0, KEY, key(W0, "200"), v2,
                new Struct(v2).put("window_start", new Date(W0)).put("status", "200").put("requests", 4L).put("errors", 5L), 2)));
        assertEquals(7, total("requests"));
        assertEquals(8, total("errors"));
        assertEquals(1, total("bytes_sent"));

        FakeSinkContext strictCtx = new FakeSinkContext();
        strictCtx.withReporter = false;
        connector = connector + "-strict";
        AggregateUpsertSinkTask strict = task(strictCtx, Map.of("auto.evolve", "false"), tp);
        Schema v3 = SchemaBuilder.struct().name("v3").field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
                .field("brand_new", SchemaBuilder.int64().optional().build()).build();
        ConnectException e = assertThrows(ConnectException.class, () -> strict.put(List.of(new SinkRecord(topic, 0, KEY,
                key(W0, "200"), v3, new Struct(v3).put("requests", 1L).put("brand_new", 1L), 10))));
        assertTrue(e.getMessage().contains("auto.evolve"), e.getMessage());
        assertEquals(7, total("requests"), "nothing of the failed batch was written");
    }

    @Test
    void hostileTopicAndFieldNamesCannotInjectSql() throws Exception {
        String victim = topic; // a table that must survive
        TopicPartition tpv = new TopicPartition(victim, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, Map.of(), tpv);
        t.put(List.of(rec(0, 0, W0, "200", 1, 1L)));

        String hostileTopic = "x\"; DROP TABLE " + victim + "; --";
        Schema hostileValue = SchemaBuilder.struct().field("requests`); DROP TABLE " + victim + "; --",
                SchemaBuilder.int64().parameter("merge", "sum").build()).build();
        TopicPartition tph = new TopicPartition(hostileTopic, 0);
        t.open(List.of(tph));
        t.put(List.of(new SinkRecord(hostileTopic, 0, KEY, key(W0, "200'); DROP TABLE " + victim + "; --"), hostileValue,
                new Struct(hostileValue).put(hostileValue.fields().get(0).name(), 5L), 0)));
        assertTrue(db.tableExists(victim), "the victim table survives");
        assertEquals(1, total("requests"));
        assertEquals(5, db.scalarLong("SELECT SUM(" + db.q(hostileValue.fields().get(0).name()) + ") FROM " + db.q(hostileTopic)));
        db.dropTable(hostileTopic);

        Schema controlChars = SchemaBuilder.struct().field("bad\u0000name", Schema.INT64_SCHEMA).build();
        t.put(List.of(new SinkRecord(victim, 0, KEY, key(W0, "200"), controlChars, new Struct(controlChars).put("bad\u0000name", 1L), 1)));
        assertEquals(1, ctx.reported.size(), "a name that cannot be an identifier is reported, not written");
        assertTrue(ctx.reportedErrors.get(0).getMessage().contains("control character"));
        assertEquals(2, storedOffset(0), "the reported record still counts as consumed");
    }

    /**
     * Reserved words, quote characters of every dialect, semicolons and comment markers in table and column names are
     * written as names, never as SQL; a name longer than the database allows is reported with the limit, not cut.
     */
    @Test
    void reservedWordsQuotesAndOverlongNamesAreQuotedOrReportedNeverInjected() throws Exception {
        String hostileTable = "select`\";--" + topic;
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, Map.of("table.name.format", "select`\";--${topic}"), tp);
        try {
            Schema value = SchemaBuilder.struct().name("v3")
                    .field("window_start", Timestamp.builder().parameter("merge", "key").build())
                    .field("order", SchemaBuilder.string().parameter("merge", "key").build())
                    .field("group", SchemaBuilder.int64().parameter("merge", "sum").build())
                    .field("user", SchemaBuilder.int64().optional().parameter("merge", "max").build())
                    .field("a;b`c\"d'e", SchemaBuilder.int64().parameter("merge", "sum").build()).build();
            Schema key = SchemaBuilder.struct().name("k3")
                    .field("window_start", Timestamp.builder().parameter("merge", "key").build())
                    .field("order", SchemaBuilder.string().parameter("merge", "key").build()).build();
            List<SinkRecord> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Struct k = new Struct(key).put("window_start", new Date(W0)).put("order", "x'); DELETE FROM t; --");
                Struct v = new Struct(value).put("window_start", new Date(W0)).put("order", "x'); DELETE FROM t; --")
                        .put("group", 2L).put("user", (long) i).put("a;b`c\"d'e", 10L);
                batch.add(new SinkRecord(topic, 0, key, k, value, v, i));
            }
            t.put(batch);
            assertEquals(8, db.scalarLong("SELECT SUM(" + db.q("group") + ") FROM " + db.q(hostileTable)));
            assertEquals(3, db.scalarLong("SELECT MAX(" + db.q("user") + ") FROM " + db.q(hostileTable)));
            assertEquals(40, db.scalarLong("SELECT SUM(" + db.q("a;b`c\"d'e") + ") FROM " + db.q(hostileTable)));
            assertEquals("x'); DELETE FROM t; --", db.scalar("SELECT " + db.q("order") + " FROM " + db.q(hostileTable)));

            String longName = "f".repeat(200);
            Schema longValue = SchemaBuilder.struct().name("v4")
                    .field("window_start", Timestamp.builder().parameter("merge", "key").build())
                    .field("order", SchemaBuilder.string().parameter("merge", "key").build())
                    .field(longName, SchemaBuilder.int64().parameter("merge", "sum").build()).build();
            Struct k = new Struct(key).put("window_start", new Date(W0)).put("order", "y");
            t.put(List.of(new SinkRecord(topic, 0, key, k, longValue, new Struct(longValue).put("window_start", new Date(W0))
                    .put("order", "y").put(longName, 7L), 4)));
            if (ctx.reported.isEmpty()) {
                assertEquals(7, db.scalarLong("SELECT SUM(" + db.q(longName) + ") FROM " + db.q(hostileTable)), "a database that allows it");
            } else {
                assertTrue(ctx.reportedErrors.get(0).getMessage().contains("is longer than"), ctx.reportedErrors.get(0).getMessage());
            }
            assertEquals(5, storedOffset(0));
        } finally {
            db.dropTable(hostileTable);
        }
    }

    /**
     * After a restart the consumer is sought to the offset the database holds. Behind an exactly-once source that
     * offset is often the commit marker after the last applied record, so the first record delivered is one further:
     * no warning for that; a wider gap (aborted transactions, or records deleted by retention) is one.
     */
    @Test
    void aTransactionMarkerAtTheStoredOffsetIsNoWarningButAWiderGapIs() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        task(new FakeSinkContext(), tp).put(List.of(rec(0, 0, W0, "200", 1, 1L))); // the database continues at 1
        String marker = capturingStderr(() -> task(new FakeSinkContext(), tp).put(List.of(rec(0, 2, W0, "200", 1, 1L))));
        assertTrue(marker.contains("holds no record (a transaction marker"), marker);
        assertFalse(marker.contains("WARN"), marker);
        String gap = capturingStderr(() -> task(new FakeSinkContext(), tp).put(List.of(rec(0, 9, W0, "200", 1, 1L))));
        assertTrue(gap.contains("WARN") && gap.contains("continues at offset 3 but the first record available is 9"), gap);
        assertEquals(3, total("requests"));
        assertEquals(10, storedOffset(0));
    }

    private static String capturingStderr(ThrowingRunnable r) throws Exception {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(original);
        }
        String out = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        original.print(out);
        return out;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * A table's name comes from table.name.format: a name the database cannot take is the setting's fault, not the
     * record's, so the task fails naming the setting, writes nothing and sends nothing to the DLQ (where every record
     * of the topic would follow). 70 characters is too long for PostgreSQL (63) and MariaDB (64), not for SQLite.
     */
    @Test
    void aTableNameTooLongForTheDatabaseFailsTheTaskNamingTheSettingAndReportsNoRecord() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        String table = topic + "_" + "p".repeat(70 - topic.length() - 1);
        AggregateUpsertSinkTask t = task(ctx, Map.of("table.name.format", table), tp);
        List<SinkRecord> batch = List.of(new SinkRecord(topic, 0, HistogramFixture.KEY, HistogramFixture.key(W0, "200"),
                HistogramFixture.VALUE, HistogramFixture.value(W0, "200", 3, Map.of(5, 3L)), 0));
        try {
            if (db.name().equals("sqlite")) {
                t.put(batch);
                assertEquals(Map.of(W0 + "|200|5", 3L), db.histogramBuckets(table, "request_time_histogram"));
                assertEquals(1, storedOffset(0));
                return;
            }
            ConnectException e = assertThrows(ConnectException.class, () -> t.put(batch));
            assertTrue(e.getMessage().contains("The table for topic '" + topic + "'") && e.getMessage().contains("table.name.format")
                    && e.getMessage().contains("is longer than"), e.getMessage());
            assertTrue(ctx.reported.isEmpty(), "no record goes to the DLQ for a name the setting makes");
        } finally {
            if (db.name().equals("sqlite")) {
                db.dropTable(table); // a name the others cannot even drop
            }
        }
    }

    @Test
    void aUserWithoutPrivilegesFailsTheTaskWithWhatToFixAndNothingGoesToTheDlq() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, withoutWritePrivilege(), tp);
        ConnectException e = assertThrows(ConnectException.class, () -> t.put(List.of(rec(0, 0, W0, "200", 1, 1L),
                rec(0, 1, W0, "404", 1, 1L))));
        assertTrue(e.getMessage().contains("refused the connector's user") && e.getMessage().contains("connection.password"),
                e.getMessage());
        assertEquals(0, ctx.reported.size(), "an access problem is not a bad record");
    }

    /**
     * A table or column dropped under a running task (by an operator, a migration, a restore without it) is not the
     * records' fault: with a DLQ configured, every record would otherwise be reported and skipped while the table
     * stays gone. The task looks at the tables again and creates them as a first write would; where it may not
     * (auto.create=false) it fails, naming the setting, and reports nothing.
     */
    @Test
    void aTableOrColumnDroppedUnderARunningTaskIsCreatedAgainAndNoRecordGoesToTheDlq() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, tp);
        t.put(List.of(rec(0, 0, W0, "200", 1, 10L)));
        db.dropTable(topic);
        t.put(List.of(rec(0, 1, W0, "200", 1, 20L), rec(0, 2, W0, "404", 1, 30L)));
        assertEquals(2, total("requests"), "the batch after the drop is in the table created again");
        assertEquals(50, total("bytes_sent"));
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + db.q(topic) + " DROP COLUMN " + db.q("bytes_sent"));
        }
        t.put(List.of(rec(0, 3, W0, "200", 1, 40L)));
        assertEquals(3, total("requests"));
        assertEquals(40, total("bytes_sent"), "the column added again holds the batch after its drop");
        assertEquals(0, ctx.reported.size(), "a missing table or column is not a bad record: " + ctx.reported);
        assertEquals(4, storedOffset(0));

        FakeSinkContext strictCtx = new FakeSinkContext();
        connector = connector + "-no-create";
        AggregateUpsertSinkTask strict = task(strictCtx, Map.of("auto.create", "false"), tp);
        strict.put(List.of(rec(0, 0, W0, "200", 1, 1L)));
        db.dropTable(topic);
        ConnectException e = assertThrows(ConnectException.class, () -> strict.put(List.of(rec(0, 1, W0, "200", 1, 1L))));
        assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("auto.create=true"), e.getMessage());
        assertEquals(0, strictCtx.reported.size(), "nothing goes to the DLQ for a missing table");
    }

    @Test
    void redeliveryOfACommittedBatchDoesNotDoubleCount() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        List<SinkRecord> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(rec(0, i, W0, "200", 1, 2L));
        }
        t.put(batch);
        t.put(batch); // Connect redelivers after a RetriableException whose commit had in fact succeeded
        t.put(batch.subList(50, 100));
        assertEquals(100, total("requests"));

        // a new task (restart) seeks to the database's offset and skips what it holds
        FakeSinkContext ctx2 = new FakeSinkContext();
        AggregateUpsertSinkTask t2 = task(ctx2, tp);
        assertEquals(Map.of(tp, 100L), ctx2.seeks);
        List<SinkRecord> more = new ArrayList<>();
        for (int i = 100; i < 110; i++) {
            more.add(rec(0, i, W0, "200", 1, 2L));
        }
        t2.put(more);
        t2.put(more); // and a redelivery of that batch too
        assertEquals(110, total("requests"));
        assertEquals(220, total("bytes_sent"));
        Map<TopicPartition, OffsetAndMetadata> pre = t2.preCommit(Map.of(tp, new OffsetAndMetadata(5)));
        assertEquals(110, pre.get(tp).offset(), "preCommit reports the offset the database holds");
    }

    /**
     * A database that loses transactions it acknowledged (an asynchronous replica promoted, a restore from a backup,
     * commits not on disk at a crash) holds an older offset than the task committed. The task writes nothing then,
     * seeks back to the stored offset, and the records delivered again make the totals exact: nothing skipped.
     */
    @Test
    void aDatabaseThatLostCommittedTransactionsGetsThemWrittenAgainNotSkipped() throws Exception {
        lostTransactionsAreWrittenAgain(false);
    }

    @Test
    void aLossOnAPartitionThatGetsNoRecordsIsNoticedAtTheNextOffsetCommit() throws Exception {
        lostTransactionsAreWrittenAgain(true);
    }

    private void lostTransactionsAreWrittenAgain(boolean idle) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, tp);
        List<SinkRecord> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(rec(0, i, W0 + (i % 2) * 60_000, i % 3 == 0 ? "200" : "404", 1L << i, 1L));
        }
        t.put(all.subList(0, 2));
        String offsets = "logbunker_sink_offsets";
        String mine = " WHERE connector_name = '" + connector + "' AND topic = '" + topic + "'";
        try (Connection c = db.connect(); Statement st = c.createStatement()) { // a backup after the first batch
            st.execute("CREATE TABLE " + db.q(topic + "_b") + " AS SELECT * FROM " + db.q(topic));
            st.execute("CREATE TABLE " + db.q(topic + "_o") + " AS SELECT * FROM " + offsets + mine);
        }
        t.put(all.subList(2, 4));
        assertEquals(15, total("requests"));
        try (Connection c = db.connect(); Statement st = c.createStatement()) { // the database loses the second batch
            st.execute("DELETE FROM " + db.q(topic));
            st.execute("INSERT INTO " + db.q(topic) + " SELECT * FROM " + db.q(topic + "_b"));
            st.execute("DELETE FROM " + offsets + mine);
            st.execute("INSERT INTO " + offsets + " SELECT * FROM " + db.q(topic + "_o"));
            st.execute("DROP TABLE " + db.q(topic + "_b"));
            st.execute("DROP TABLE " + db.q(topic + "_o"));
        }
        assertEquals(3, total("requests"));

        if (idle) { // no record of the partition arrives: the periodic offset commit notices
            assertEquals(Map.of(tp, new OffsetAndMetadata(2)), t.preCommit(Map.of(tp, new OffsetAndMetadata(4))));
        } else {
            t.put(all.subList(4, 6));
        }
        assertEquals(3, total("requests"), "nothing is written on top of the gap");
        assertEquals(2L, ctx.seeks.get(tp), "the task seeks back to the offset the database holds");
        assertEquals(2, storedOffset(0));
        t.put(all.subList(2, 6)); // what Connect delivers after the seek
        assertEquals(63, total("requests"), "every record counted once");
        assertEquals(6, storedOffset(0));
    }

    @Test
    void zombieTaskAfterARebalanceCannotApplyAnythingTwice() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask zombie = task(new FakeSinkContext(), tp);
        zombie.put(List.of(rec(0, 0, W0, "200", 1, 1L)));
        // rebalance: the partition moves to a successor while the zombie still has a fetched batch in hand
        AggregateUpsertSinkTask successor = task(new FakeSinkContext(), tp);
        List<SinkRecord> successorBatch = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            successorBatch.add(rec(0, i, W0, "200", 1, 1L));
        }
        successor.put(successorBatch);
        List<SinkRecord> zombieBatch = new ArrayList<>();
        for (int i = 1; i <= 15; i++) {
            zombieBatch.add(rec(0, i, W0, "200", 1, 1L));
        }
        zombie.put(zombieBatch); // only 11..15 are new
        successor.put(zombieBatch.subList(5, 15)); // 6..15 again: all already applied
        for (int i = 16; i <= 20; i++) {
            successor.put(List.of(rec(0, i, W0, "200", 1, 1L)));
        }
        assertEquals(21, total("requests"));
        assertEquals(21, storedOffset(0));
    }

    @Test
    void tombstonesAreBadRecordsUnlessDeleteIsEnabled() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, tp);
        t.put(List.of(rec(0, 0, W0, "200", 3, 1L), new SinkRecord(topic, 0, KEY, key(W0, "200"), null, null, 1)));
        assertEquals(3, total("requests"));
        assertEquals(1, ctx.reported.size());
        assertTrue(ctx.reportedErrors.get(0).getMessage().contains("delete.enabled"));

        connector = connector + "-del";
        AggregateUpsertSinkTask deleting = task(new FakeSinkContext(), Map.of("delete.enabled", "true"), tp);
        deleting.put(List.of(new SinkRecord(topic, 0, KEY, key(W0, "200"), null, null, 2), rec(0, 3, W0, "404", 1, 1L)));
        assertEquals(1, rows());
        assertEquals(1, total("requests"));
    }

    @Test
    void recordsWithoutKeyGoToTheReporterOrFailNamingTheirPosition() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, tp);
        t.put(List.of(rec(0, 0, W0, "200", 1, 1L), new SinkRecord(topic, 0, null, null, VALUE, value(W0, "200", 9, 9L, null, null, null), 1),
                new SinkRecord(topic, 0, Schema.STRING_SCHEMA, "not-a-struct", VALUE, value(W0, "200", 9, 9L, null, null, null), 2),
                rec(0, 3, W0, "200", 1, 1L)));
        assertEquals(2, total("requests"));
        assertEquals(List.of(1L, 2L), ctx.reported.stream().map(SinkRecord::kafkaOffset).toList());

        FakeSinkContext noReporter = new FakeSinkContext();
        noReporter.withReporter = false;
        connector = connector + "-strict";
        AggregateUpsertSinkTask strict = task(noReporter, tp);
        ConnectException e = assertThrows(ConnectException.class,
                () -> strict.put(List.of(new SinkRecord(topic, 0, null, null, VALUE, value(W0, "200", 9, 9L, null, null, null), 7))));
        assertTrue(e.getMessage().contains("topic " + topic + ", partition 0, offset 7"), e.getMessage());
        assertEquals(2, total("requests"));
    }

    @Test
    void unreachableDatabaseIsRetriableAndLosesNothing() throws Exception {
        String url = unreachableUrl();
        if (url == null) {
            return; // SQLite is a file: there is no server to lose
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, Map.of("connection.url", url, "connection.timeout.ms", "1000",
                "retry.backoff.ms", "1234", "max.retries", "2"), tp);
        assertThrows(RetriableException.class, () -> t.put(List.of(rec(0, 0, W0, "200", 1, 1L))));
        assertEquals(1234, ctx.timeoutMs);
        assertThrows(RetriableException.class, () -> t.put(List.of(rec(0, 0, W0, "200", 1, 1L))));
        ConnectException fatal = assertThrows(ConnectException.class, () -> t.put(List.of(rec(0, 0, W0, "200", 1, 1L))));
        assertTrue(fatal.getMessage().contains("max.retries=2") && !(fatal instanceof RetriableException), fatal.getMessage());
    }

    @Test
    void aRecreatedTopicBelowTheStoredOffsetStopsTheTaskInsteadOfSkippingEverything() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        List<SinkRecord> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(rec(0, i, W0, "200", 1, 1L));
        }
        t.put(batch);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask restarted = task(ctx, tp);
        assertEquals(50L, ctx.seeks.get(tp));
        // the topic was re-created: the consumer could not seek to 50 and starts at 0
        ConnectException e = assertThrows(ConnectException.class, () -> restarted.put(List.of(rec(0, 0, W0, "200", 1, 1L))));
        assertTrue(e.getMessage().contains("re-created"), e.getMessage());
        assertEquals(50, total("requests"));
    }

    /** A table made by hand with a rule the records do not know about (bytes_sent below 1,000,000): the database is the judge. */
    void createTableRefusingLargeByteCounts() throws SQLException {
        try (var c = db.connect(); var st = c.createStatement()) {
            String ts = db.name().equals("postgresql") ? "TIMESTAMPTZ" : db.name().equals("mariadb") ? "DATETIME(3)" : "TEXT";
            st.execute("CREATE TABLE " + db.q(topic) + " (" + db.q("window_start") + " " + ts + " NOT NULL, " + db.q("status")
                    + " VARCHAR(64) NOT NULL, " + db.q("requests") + " BIGINT, " + db.q("bytes_sent") + " BIGINT CHECK ("
                    + db.q("bytes_sent") + " < 1000000), " + db.q("rt_min") + " DOUBLE PRECISION, " + db.q("rt_max")
                    + " DOUBLE PRECISION, " + db.q("label") + " VARCHAR(64), PRIMARY KEY (" + db.q("window_start") + ", "
                    + db.q("status") + "))");
        }
    }

    @Test
    void aRowTheDatabaseRefusesGoesToTheDlqAloneAndTheRestIsWritten() throws Exception {
        createTableRefusingLargeByteCounts();
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, tp);
        t.put(List.of(rec(0, 0, W0, "200", 1, 10L), rec(0, 1, W0, "404", 1, 5_000_000L), rec(0, 2, W0 + 60_000, "200", 1, 20L)));
        assertEquals(List.of(1L), ctx.reported.stream().map(SinkRecord::kafkaOffset).toList(), "only the refused record is reported");
        assertEquals(2, total("requests"));
        assertEquals(30, total("bytes_sent"));
        assertEquals(3, storedOffset(0));

        FakeSinkContext strictCtx = new FakeSinkContext();
        strictCtx.withReporter = false;
        connector = connector + "-strict";
        AggregateUpsertSinkTask strict = task(strictCtx, tp);
        ConnectException e = assertThrows(ConnectException.class, () -> strict.put(List.of(rec(0, 3, W0, "500", 1, 9_000_000L))));
        assertTrue(e.getMessage().contains("errors.tolerance=all"), e.getMessage());
        assertEquals(2, total("requests"), "nothing of the refused batch was written");
    }

    SinkRecord batch(int partition, long offset, Struct... rows) {
        return new SinkRecord(topic, partition, null, null, BATCH, List.of(rows), offset);
    }

    @Test
    void batchRecordsWriteEachRowAsItsOwnRecordWouldAcrossRedeliveries() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        List<SinkRecord> first = List.of(
                batch(0, 0, value(W0, "200", 2, 20L, 0.5, 0.5, null), value(W0, "404", 1, 5L, null, null, "a"),
                        value(W0, "200", 3, 30L, 0.2, 0.9, null)),
                rec(0, 1, W0, "200", 4, 40L),
                batch(0, 2, value(W0 + 60_000, "500", 7, 70L, 1.5, 2.5, "b")));
        t.put(first);
        t.put(first); // redelivered: nothing twice
        t.put(List.of(batch(0, 3, value(W0, "404", 10, 100L, 0.1, 0.1, null))));
        assertEquals(3, rows());
        assertEquals(27, total("requests"));
        assertEquals(265, total("bytes_sent"));
        assertEquals(9, db.scalarLong("SELECT " + db.q("requests") + " FROM " + db.q(topic) + " WHERE " + db.q("status") + " = '200'"));
        assertEquals(11, db.scalarLong("SELECT " + db.q("requests") + " FROM " + db.q(topic) + " WHERE " + db.q("status") + " = '404'"));
        assertEquals(4, storedOffset(0));
    }

    @Test
    void aBatchWithARowTheDatabaseRefusesGoesToTheDlqWholeAndEveryRowOfTheOthersIsWritten() throws Exception {
        createTableRefusingLargeByteCounts();
        TopicPartition tp = new TopicPartition(topic, 0);
        FakeSinkContext ctx = new FakeSinkContext();
        AggregateUpsertSinkTask t = task(ctx, tp);
        t.put(List.of(
                batch(0, 0, value(W0, "200", 1, 10L, null, null, null), value(W0, "204", 1, 10L, null, null, null)),
                batch(0, 1, value(W0, "200", 100, 10L, null, null, null), value(W0, "404", 1, 5_000_000L, null, null, null)),
                batch(0, 2, value(W0, "302", 1, 10L, null, null, null), value(W0, "500", 1, 10L, null, null, null),
                        value(W0, "200", 1, 10L, null, null, null))));
        assertEquals(List.of(1L), ctx.reported.stream().map(SinkRecord::kafkaOffset).toList(), "the batch with the refused row");
        assertEquals(4, rows(), "every row of the other batches, none of the refused one");
        assertEquals(5, total("requests"));
        assertEquals(3, storedOffset(0));
    }

    @Test
    void mergeFieldsOverrideSchemaParametersForProducersWithoutThem() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        Schema plainKey = SchemaBuilder.struct().field("day", Schema.STRING_SCHEMA).build();
        Schema plainValue = SchemaBuilder.struct().field("hits", Schema.INT64_SCHEMA).field("peak", Schema.INT32_SCHEMA)
                .field("requests", SchemaBuilder.int64().parameter("merge", "max").build()).build();
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), Map.of("merge.fields", "hits:sum, peak:max, requests:sum"), tp);
        t.put(List.of(new SinkRecord(topic, 0, plainKey, new Struct(plainKey).put("day", "d1"), plainValue,
                        new Struct(plainValue).put("hits", 3L).put("peak", 7).put("requests", 5L), 0),
                new SinkRecord(topic, 0, plainKey, new Struct(plainKey).put("day", "d1"), plainValue,
                        new Struct(plainValue).put("hits", 4L).put("peak", 2).put("requests", 6L), 1)));
        t.put(List.of(new SinkRecord(topic, 0, plainKey, new Struct(plainKey).put("day", "d1"), plainValue,
                new Struct(plainValue).put("hits", 10L).put("peak", 9).put("requests", 1L), 2)));
        assertEquals(17, total("hits"));
        assertEquals(9, db.scalarLong("SELECT " + db.q("peak") + " FROM " + db.q(topic)));
        assertEquals(12, total("requests"), "merge.fields wins over the schema parameter");
    }

    /**
     * Tasks of one or more connectors starting together on a database that has neither the data table nor the
     * offsets table: every task creates both at once (PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a
     * concurrent create), then every task adds the same new columns at once, one a histogram (on MariaDB every task
     * also creates the function that merges histograms, dropped before each round). None may fail or lose a record.
     */
    @Test
    void tasksStartingTogetherOnAnEmptyDatabaseCreateAndEvolveTablesOnceAndAllKeepRunning() throws Exception {
        int taskCount = 4;
        int rounds = 6;
        Schema widerValue = SchemaBuilder.struct().name("v2")
                .field("window_start", Timestamp.builder().parameter("merge", "key").build())
                .field("status", SchemaBuilder.string().parameter("merge", "key").build())
                .field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
                .field("late_sum", SchemaBuilder.int64().optional().parameter("merge", "sum").build())
                .field("late_histogram", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional()
                        .parameter("merge", "histogram").parameter("histogram.relative.accuracy", "0.01").build()).build();
        ExecutorService pool = Executors.newFixedThreadPool(taskCount);
        try {
            for (int round = 0; round < rounds; round++) {
                String table = topic + "_r" + round;
                String offsets = "offs_" + topic + "_r" + round;
                String[] connectors = {connector + "-a", connector + "-b"};
                assertFalse(db.tableExists(table) || db.tableExists(offsets), "the round starts on an empty database");
                if (db.name().equals("mariadb")) {
                    try (Connection c = db.connect(); Statement st = c.createStatement()) {
                        st.execute("DROP FUNCTION IF EXISTS " + db.q(io.logbunker.connect.sink.dialect.MySqlDialect.HISTOGRAM_MERGE_FUNCTION));
                    }
                }
                CyclicBarrier started = new CyclicBarrier(taskCount);
                CyclicBarrier opened = new CyclicBarrier(taskCount + 1);
                CyclicBarrier evolve = new CyclicBarrier(taskCount + 1);
                List<Future<?>> runs = new ArrayList<>();
                for (int p = 0; p < taskCount; p++) {
                    int partition = p;
                    runs.add(pool.submit(() -> {
                        FakeSinkContext ctx = new FakeSinkContext();
                        AggregateUpsertSinkTask t = new AggregateUpsertSinkTask();
                        t.initialize(ctx);
                        Map<String, String> cfg = db.sinkConfig(connectors[partition % 2]);
                        cfg.put("table.name.format", table);
                        cfg.put("offsets.table.name", offsets);
                        cfg.put("max.retries", "0");
                        synchronized (tasks) {
                            tasks.add(t);
                        }
                        TopicPartition tp = new TopicPartition(topic, partition);
                        ctx.assignment.add(tp);
                        started.await();
                        t.start(cfg);
                        t.open(List.of(tp));
                        opened.await();
                        List<SinkRecord> first = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            first.add(rec(partition, i, W0 + (i % 5) * 60_000, "200", 1, 10L));
                        }
                        t.put(first);
                        evolve.await();
                        List<SinkRecord> second = new ArrayList<>();
                        for (int i = 50; i < 60; i++) {
                            Struct v = new Struct(widerValue).put("window_start", new Date(W0)).put("status", "200")
                                    .put("requests", 1L).put("late_sum", 3L).put("late_histogram", Map.of(5, 2L, -7, 1L));
                            second.add(new SinkRecord(topic, partition, KEY, key(W0, "200"), widerValue, v, i));
                        }
                        t.put(second);
                        return null;
                    }));
                }
                opened.await(60, TimeUnit.SECONDS);
                // open() itself created the offsets table and each partition's row: no task fell back to put()
                assertEquals(taskCount, db.scalarLong("SELECT COUNT(*) FROM " + db.q(offsets)), "offset rows after open()");
                evolve.await(60, TimeUnit.SECONDS);
                for (Future<?> run : runs) {
                    run.get(60, TimeUnit.SECONDS); // rethrows what any task threw
                }
                assertEquals(taskCount * 60L, db.scalarLong("SELECT SUM(" + db.q("requests") + ") FROM " + db.q(table)));
                assertEquals(taskCount * 30L, db.scalarLong("SELECT SUM(" + db.q("late_sum") + ") FROM " + db.q(table)));
                assertEquals(Map.of(W0 + "|200|-7", taskCount * 10L, W0 + "|200|5", taskCount * 20L),
                        db.histogramBuckets(table, "late_histogram"));
                assertEquals(5, db.scalarLong("SELECT COUNT(*) FROM " + db.q(table)));
                assertEquals(taskCount * 60L, db.scalarLong("SELECT SUM(next_offset) FROM " + db.q(offsets)));
                synchronized (tasks) {
                    tasks.forEach(AggregateUpsertSinkTask::stop);
                    tasks.clear();
                }
                db.dropTable(table);
                db.dropTable(offsets);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyPartitionsAndRandomSplitsSumExactly() throws Exception {
        Random r = new Random(7);
        TopicPartition[] tps = {new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2)};
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tps);
        long expected = 0;
        long[] next = new long[3];
        for (int b = 0; b < 20; b++) {
            List<SinkRecord> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int p = r.nextInt(3);
                long req = 1 + r.nextInt(100);
                expected += req;
                batch.add(rec(p, next[p]++, W0 + r.nextInt(10) * 60_000L, String.valueOf(200 + r.nextInt(5)), req, req * 10));
            }
            t.put(batch);
            if (b % 5 == 0) {
                t.put(batch); // redelivery
            }
        }
        assertEquals(expected, total("requests"));
        assertEquals(expected * 10, total("bytes_sent"));
        for (int p = 0; p < 3; p++) {
            assertEquals(next[p], storedOffset(p));
        }
    }

    @Test
    void aTopicRenamedByAnSmtNamesTheTableWhileOffsetsStayTheConsumers() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        String renamed = topic + "_r";
        try {
            AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
            List<SinkRecord> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                SinkRecord r = rec(0, i, W0, "200", 1, 2L);
                // what RegexRouter does: a new record with another topic, the original coordinates kept
                batch.add(r.newRecord(renamed, r.kafkaPartition(), r.keySchema(), r.key(), r.valueSchema(), r.value(), r.timestamp()));
            }
            t.put(batch);
            t.put(batch.subList(10, 20)); // a redelivery
            assertEquals(20, db.scalarLong("SELECT SUM(" + db.q("requests") + ") FROM " + db.q(renamed)));
            assertEquals(20, storedOffset(0), "the offset row is the consumer's partition, not the renamed topic's");
            FakeSinkContext ctx2 = new FakeSinkContext();
            task(ctx2, tp);
            assertEquals(Map.of(tp, 20L), ctx2.seeks, "a restarted task seeks the consumer's partition");
        } finally {
            db.dropTable(renamed);
        }
    }

    // ------------------------------------------------------------------ histograms (merge=histogram)

    /** (window_start epoch ms, status, bucket) -> count, as stored. */
    private Map<String, Long> storedBuckets() throws SQLException {
        return db.histogramBuckets(topic, "request_time_histogram");
    }

    @Test
    void histogramBucketsMergeBucketWiseAcrossPartialsPartitionsAndRedeliveries() throws Exception {
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), p0, p1);
        Random random = new Random(17);
        Map<String, Long> expected = new java.util.TreeMap<>();
        List<SinkRecord> all = new ArrayList<>();
        long[] offsets = new long[2];
        for (int w = 0; w < 3; w++) {
            for (String status : List.of("200", "502")) {
                double[] values = HistogramFixture.latencies(random, 2_000);
                for (double v : values) {
                    expected.merge((W0 + w * 60_000L) + "|" + status + "|" + HistogramFixture.bucket(v), 1L, Long::sum);
                }
                int from = 0;
                while (from < values.length) { // partial aggregates of random sizes, on either partition
                    int to = Math.min(values.length, from + 1 + random.nextInt(400));
                    int partition = random.nextInt(2);
                    long window = W0 + w * 60_000L;
                    all.add(new SinkRecord(topic, partition, HistogramFixture.KEY, HistogramFixture.key(window, status),
                            HistogramFixture.VALUE, HistogramFixture.value(window, status, to - from,
                            HistogramFixture.histogram(values, from, to)), offsets[partition]++));
                    from = to;
                }
            }
        }
        // a partial with no value at all, and an empty histogram: a row with no histogram
        all.add(new SinkRecord(topic, 0, HistogramFixture.KEY, HistogramFixture.key(W0, "404"), HistogramFixture.VALUE,
                HistogramFixture.value(W0, "404", 3, null), offsets[0]++));
        all.add(new SinkRecord(topic, 1, HistogramFixture.KEY, HistogramFixture.key(W0, "404"), HistogramFixture.VALUE,
                HistogramFixture.value(W0, "404", 2, Map.of()), offsets[1]++));
        int half = all.size() / 2;
        t.put(all.subList(0, half));
        t.put(all.subList(half / 2, all.size())); // the second quarter again: a redelivery
        assertEquals(expected, storedBuckets());
        assertEquals(7, rows(), "one row per (window, status) in the main table, however many buckets");
        assertEquals(3 * 2 * 2_000 + 5, total("requests"));
    }

    @Test
    void percentileQueriesOverStoredBucketsAreWithinTheRelativeAccuracyOfTheExactOnes() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AggregateUpsertSinkTask t = task(new FakeSinkContext(), tp);
        Random random = new Random(5);
        long[] windows = {W0, W0 + 60_000, W0 + 120_000, W0 + 3_600_000}; // three in one hour, one in the next
        List<String> statuses = List.of("200", "404", "502");
        Map<String, double[]> raw = new HashMap<>();
        List<SinkRecord> records = new ArrayList<>();
        long offset = 0;
        for (long w : windows) {
            for (String status : statuses) {
                double[] values = HistogramFixture.latencies(random, 500 + random.nextInt(3_000));
                raw.put(w + "|" + status, values);
                for (int from = 0; from < values.length; from += 700) { // partials
                    int to = Math.min(values.length, from + 700);
                    records.add(new SinkRecord(topic, 0, HistogramFixture.KEY, HistogramFixture.key(w, status), HistogramFixture.VALUE,
                            HistogramFixture.value(w, status, to - from, HistogramFixture.histogram(values, from, to)), offset++));
                }
            }
        }
        t.put(records);
        Dialect d = JdbcUrls.dialectFor(db.url());
        Column ts = new Column("window_start", Timestamp.SCHEMA, io.logbunker.connect.sink.engine.MergeFunction.KEY);
        String h = "request_time_histogram";
        double a = HistogramFixture.ACCURACY;
        String one = QuantileSql.render(d, topic, h, a, List.of("window_start", "status"), false, List.of(), QuantileSql.Period.NONE);
        String range = QuantileSql.render(d, topic, h, a, List.of(), true, List.of(), QuantileSql.Period.NONE);
        String perHour = QuantileSql.render(d, topic, h, a, List.of(), false, List.of("status"), QuantileSql.Period.HOUR);
        try (Connection c = db.connect()) {
            d.initialize(c);
            for (double q : new double[] {0.5, 0.9, 0.95, 0.99, 0.999}) {
                // one (window, group)
                for (long w : windows) {
                    for (String status : statuses) {
                        try (PreparedStatement ps = c.prepareStatement(one)) {
                            d.binder().bind(ps, 1, ts, new Date(w));
                            ps.setString(2, status);
                            ps.setDouble(3, q);
                            double exact = HistogramFixture.exactQuantile(HistogramFixture.concat(List.of(raw.get(w + "|" + status))), q);
                            double estimate = single(ps);
                            assertTrue(HistogramFixture.withinAccuracy(exact, estimate), "p" + q + " of " + w + "/" + status + ": exact "
                                    + exact + ", from the buckets " + estimate);
                        }
                    }
                }
                // merged over the first hour's windows and all groups
                try (PreparedStatement ps = c.prepareStatement(range)) {
                    d.binder().bind(ps, 1, ts, new Date(W0));
                    d.binder().bind(ps, 2, ts, new Date(W0 + 3_600_000));
                    ps.setDouble(3, q);
                    List<double[]> parts = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        for (String status : statuses) {
                            parts.add(raw.get(windows[i] + "|" + status));
                        }
                    }
                    double exact = HistogramFixture.exactQuantile(HistogramFixture.concat(parts), q);
                    double estimate = single(ps);
                    assertTrue(HistogramFixture.withinAccuracy(exact, estimate), "merged p" + q + ": exact " + exact + ", from the buckets "
                            + estimate);
                }
                // per hour and status: one row each
                try (PreparedStatement ps = c.prepareStatement(perHour)) {
                    ps.setDouble(1, q);
                    int rowsSeen = 0;
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            boolean firstHour = rowsSeen < statuses.size();
                            String status = rs.getString(2);
                            List<double[]> parts = new ArrayList<>();
                            for (long w : firstHour ? java.util.Arrays.copyOf(windows, 3) : new long[] {windows[3]}) {
                                parts.add(raw.get(w + "|" + status));
                            }
                            double exact = HistogramFixture.exactQuantile(HistogramFixture.concat(parts), q);
                            double estimate = rs.getDouble(3);
                            assertTrue(HistogramFixture.withinAccuracy(exact, estimate), "p" + q + " of hour " + rs.getObject(1) + "/"
                                    + status + ": exact " + exact + ", from the buckets " + estimate);
                            rowsSeen++;
                        }
                    }
                    assertEquals(2 * statuses.size(), rowsSeen, "one row per hour and status");
                }
            }
        }
    }

    private static double single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next(), "the quantile query returned no row");
            double v = rs.getDouble(1);
            assertFalse(rs.wasNull(), "the quantile query returned NULL");
            return v;
        }
    }
}
