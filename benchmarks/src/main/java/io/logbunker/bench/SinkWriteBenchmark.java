package io.logbunker.bench;

import io.logbunker.connect.sink.dialect.PostgresDialect;
import io.logbunker.connect.sink.engine.AggregateWriter;
import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MappedRow;
import io.logbunker.connect.sink.engine.MergeFunction;
import io.logbunker.connect.sink.engine.TableShape;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Timestamp;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * The sink's write path alone on real PostgreSQL, at the per-ad cardinality of issue 14: rows of the per-ad record
 * (5 statuses x 7 events x 5,000 ads per 10 s window), written through {@link AggregateWriter} in transactions of
 * 5,000 records (the sink's max.poll.records), every row new, as in the end-to-end run. Reports rows/s and the CPU of
 * this JVM and of its PostgreSQL backend per row. Run it on two builds' classes, alternating, to compare them.
 *
 * <p>Usage: {@code SinkWriteBenchmark [windows] [runs] [records per transaction] [buckets] [passes]} (15 windows, 3 runs,
 * 5,000, 0, 1; the first run is a warm-up). {@code buckets} &gt; 0 adds the two histogram columns of issue 17
 * (request and upstream time), each row's with 1 to that many non-empty buckets; {@code passes} 2 writes every window
 * twice, so that the second pass merges each row with the stored one (partial flushes).
 */
public final class SinkWriteBenchmark {
    private static final String[] STATUS = {"200", "204", "302", "404", "500"};
    private static final String[] EVENTS = {"impression", "click", "view", "start", "midpoint", "complete", "skip"};
    private static final int ADS = 5_000;

    public static void main(String[] args) throws Exception {
        int windows = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int perTransaction = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
        int buckets = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int passes = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        Schema histogram = org.apache.kafka.connect.data.SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional().build();
        String url = System.getProperty("pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = System.getProperty("pg.user", "postgres");
        for (int run = 0; run < runs; run++) {
            String table = "sink_write_bench";
            List<Column> columns = new ArrayList<>(List.of(
                    new Column("window_start", Timestamp.SCHEMA, MergeFunction.KEY),
                    new Column("status", Schema.STRING_SCHEMA, MergeFunction.KEY),
                    new Column("arg_ev", Schema.STRING_SCHEMA, MergeFunction.KEY),
                    new Column("arg_ad", Schema.STRING_SCHEMA, MergeFunction.KEY),
                    new Column("window_end", Timestamp.SCHEMA, MergeFunction.MAX),
                    new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM),
                    new Column("bytes_sent", Schema.INT64_SCHEMA, MergeFunction.SUM),
                    new Column("request_time_sum", Schema.OPTIONAL_FLOAT64_SCHEMA, MergeFunction.SUM),
                    new Column("request_time_min", Schema.OPTIONAL_FLOAT64_SCHEMA, MergeFunction.MIN),
                    new Column("request_time_max", Schema.OPTIONAL_FLOAT64_SCHEMA, MergeFunction.MAX)));
            if (buckets > 0) {
                columns.add(new Column("request_time_histogram", histogram, MergeFunction.HISTOGRAM));
                columns.add(new Column("upstream_response_time_histogram", histogram, MergeFunction.HISTOGRAM));
            }
            TableShape shape = new TableShape(table, columns);
            long pgPid;
            try (Connection c = DriverManager.getConnection(url, user, ""); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + table);
                st.execute("DROP TABLE IF EXISTS sink_write_bench_offsets");
            }
            Connection[] conn = new Connection[1];
            AggregateWriter writer = new AggregateWriter(new PostgresDialect(), () -> conn[0] = DriverManager.getConnection(url, user, ""),
                    "bench", "sink_write_bench_offsets", true, true, 100_000, 3);
            TopicPartition tp = new TopicPartition("bench", 0);
            writer.open(List.of(tp));
            try (Statement st = conn[0].createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pgPid = rs.getLong(1);
            }
            List<MappedRow> batch = new ArrayList<>(perTransaction);
            long offset = 0;
            long rows = 0;
            long[] spent = new long[2]; // wall and CPU ns inside write(): generating the rows is not timed
            long pg0 = processTicks(pgPid);
            java.util.Random random = new java.util.Random(run);
            for (int w = 0; w < windows; w++) {
                Date start = new Date(1_795_860_000_000L + w * 10_000L);
                Date end = new Date(start.getTime() + 10_000L);
                // the source emits a window's groups in its hash table's order, not sorted
                List<Object[]> window = new ArrayList<>();
                for (String status : STATUS) {
                    for (String ev : EVENTS) {
                        for (int ad = 0; ad < ADS; ad++) {
                            double rt = 0.001 * (1 + random.nextInt(500));
                            Object[] row = {start, status, ev, "ad-" + ad, end, 3L, 1_200L, rt * 3, rt, rt * 2};
                            if (buckets > 0) {
                                row = java.util.Arrays.copyOf(row, row.length + 2);
                                row[row.length - 2] = histogram(random, buckets);
                                row[row.length - 1] = histogram(random, buckets);
                            }
                            window.add(row);
                        }
                    }
                }
                java.util.Collections.shuffle(window, random);
                List<Object[]> written = new ArrayList<>(window);
                for (int pass = 1; pass < passes; pass++) {
                    written.addAll(window);
                }
                for (Object[] values : written) {
                    batch.add(new MappedRow(shape, values, false, "bench", 0, offset++));
                    if (batch.size() == perTransaction) {
                        long next = offset;
                        rows += timed(spent, () -> writer.write(batch, Map.of(tp, next)).rowsUpserted());
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                long next = offset;
                rows += timed(spent, () -> writer.write(batch, Map.of(tp, next)).rowsUpserted());
            }
            double secs = spent[0] / 1e9;
            double cpu = spent[1] / 1e9;
            double pg = (processTicks(pgPid) - pg0) / 100.0;
            writer.close();
            System.out.printf("run %d%s: %,d rows in %.2f s, %,.0f rows/s; CPU per row: writer %.2f us, PostgreSQL %.2f us%n", run,
                    run == 0 ? " (warm-up)" : "", rows, secs, rows / secs, cpu / rows * 1e6, pg / rows * 1e6);
        }
    }

    /** 1 to {@code most} buckets around those of 1 ms to 1 s at 1% accuracy, counts of 1 to 3. */
    private static io.logbunker.connect.sink.engine.HistogramCounts histogram(java.util.Random random, int most) {
        Map<Integer, Long> m = new java.util.HashMap<>();
        int n = 1 + random.nextInt(most);
        for (int i = 0; i < n; i++) {
            m.put(-345 + random.nextInt(345), 1L + random.nextInt(3));
        }
        return io.logbunker.connect.sink.engine.HistogramCounts.of("h", m);
    }

    interface Write {
        int run() throws java.sql.SQLException;
    }

    private static int timed(long[] spent, Write w) throws java.sql.SQLException {
        long t0 = System.nanoTime();
        long c0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        int rows = w.run();
        spent[0] += System.nanoTime() - t0;
        spent[1] += ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0;
        return rows;
    }

    /** User + system clock ticks of a local process (the PostgreSQL backend of the writer's connection). */
    private static long processTicks(long pid) throws java.io.IOException {
        String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
