package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.converter.CompactConverter;
import io.logbunker.connect.sink.engine.BatchMerger;
import io.logbunker.connect.sink.engine.MappedRow;
import io.logbunker.connect.sink.engine.RecordMapper;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The sink's work per row inside the worker, without Kafka or a database: per-ad batch records (100 rows each, as the
 * recommended source settings write them; 5 statuses x 7 events x 5,000 ads per 10 s window, in a shuffled order
 * within each window as the source's group table emits them) decoded by CompactConverter, mapped to rows, merged in
 * key order and encoded for COPY, in batches of 500 records (a put() at the consumer's default fetch size). Prints
 * the CPU per row of each round; the first rounds warm the JIT. Run it on two builds' jars, alternating, to compare
 * them. It lives in the sink's dialect package for {@link PostgresCopy#encode}, which is not public.
 *
 * <p>Usage: {@code SinkPathBenchmark [windows] [rounds]} (5, 8).
 */
public final class SinkPathBenchmark {
    private static final int RECORDS_PER_PUT = 500;
    private static final int ROWS_PER_RECORD = 100;

    private SinkPathBenchmark() {
    }

    public static void main(String[] args) {
        int windows = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Schema row = SchemaBuilder.struct().name("io.logbunker.accesslog.Aggregate").version(1)
                .field("window_start", Timestamp.builder().parameter("merge", "key").build())
                .field("status", SchemaBuilder.string().parameter("merge", "key").build())
                .field("arg_ev", SchemaBuilder.string().parameter("merge", "key").build())
                .field("arg_ad", SchemaBuilder.string().parameter("merge", "key").build())
                .field("window_end", Timestamp.builder().parameter("merge", "max").build())
                .field("requests", SchemaBuilder.int64().parameter("merge", "sum").build())
                .field("bytes_sent", SchemaBuilder.int64().parameter("merge", "sum").build())
                .field("request_time_sum", SchemaBuilder.float64().optional().parameter("merge", "sum").build())
                .field("request_time_min", SchemaBuilder.float64().optional().parameter("merge", "min").build())
                .field("request_time_max", SchemaBuilder.float64().optional().parameter("merge", "max").build())
                .build();
        Schema batch = SchemaBuilder.array(row).name("io.logbunker.accesslog.AggregateBatch").version(1).parameter("merge", "rows").build();
        List<byte[]> records = records(row, batch, windows);
        long rows = (long) records.size() * ROWS_PER_RECORD;
        System.out.printf("%,d records, %,d rows%n", records.size(), rows);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CompactConverter converter = new CompactConverter(); // one per task, kept across put() calls
        RecordMapper mapper = new RecordMapper("metrics", Map.of(), false);
        BatchMerger merger = new BatchMerger();
        for (int round = 1; round <= rounds; round++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long bytes = 0;
            long offset = 0;
            for (int from = 0; from < records.size(); from += RECORDS_PER_PUT) {
                merger.clear();
                for (int i = from; i < Math.min(records.size(), from + RECORDS_PER_PUT); i++) {
                    SchemaAndValue v = converter.toConnectData("metrics", records.get(i));
                    for (MappedRow r : mapper.mapAll(new SinkRecord("metrics", 0, null, null, v.schema(), v.value(), offset++))) {
                        merger.add(r);
                    }
                }
                for (List<BatchMerger.Pending> pending : merger.sortedByTable().values()) {
                    List<Object[]> values = new ArrayList<>(pending.size());
                    for (BatchMerger.Pending p : pending) {
                        values.add(p.values());
                    }
                    bytes += PostgresCopy.encode(pending.get(0).shape().columns(), values).size();
                }
            }
            double cpuNs = threads.getCurrentThreadCpuTime() - cpu0;
            System.out.printf("round %d: %.0f ns of CPU per row, %.2f s, %,d COPY bytes%n", round, cpuNs / rows,
                    (System.nanoTime() - t0) / 1e9, bytes);
        }
    }

    /** The batch records of {@code windows} 10 s windows of per-ad rows, encoded as the source's converter writes them. */
    private static List<byte[]> records(Schema row, Schema batch, int windows) {
        String[] statuses = {"200", "204", "302", "404", "500"};
        String[] events = {"impression", "click", "view", "start", "midpoint", "complete", "skip"};
        CompactConverter writer = new CompactConverter();
        Random random = new Random(42);
        List<byte[]> out = new ArrayList<>();
        long start = 1_795_860_000_000L;
        for (int w = 0; w < windows; w++) {
            Date windowStart = new Date(start + w * 10_000L);
            Date windowEnd = new Date(start + (w + 1) * 10_000L);
            List<Struct> rows = new ArrayList<>();
            for (String status : statuses) {
                for (String event : events) {
                    for (int ad = 0; ad < 5000; ad++) {
                        double t = 0.001 * (1 + random.nextInt(300));
                        rows.add(new Struct(row).put("window_start", windowStart).put("status", status).put("arg_ev", event)
                                .put("arg_ad", Integer.toString(100_000 + ad)).put("window_end", windowEnd)
                                .put("requests", 1L + random.nextInt(5)).put("bytes_sent", 43L * (1 + random.nextInt(5)))
                                .put("request_time_sum", t).put("request_time_min", t).put("request_time_max", t));
                    }
                }
            }
            Collections.shuffle(rows, random);
            for (int i = 0; i < rows.size(); i += ROWS_PER_RECORD) {
                out.add(writer.fromConnectData("metrics", batch, rows.subList(i, Math.min(rows.size(), i + ROWS_PER_RECORD))));
            }
        }
        return out;
    }
}
