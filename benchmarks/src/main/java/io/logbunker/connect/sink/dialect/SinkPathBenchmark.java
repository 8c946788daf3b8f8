package io.logbunker.connect.sink.dialect;

import io.logbunker.bench.Corpus;
import io.logbunker.connect.converter.CompactConverter;
import io.logbunker.connect.sink.engine.BatchMerger;
import io.logbunker.connect.sink.engine.MappedRow;
import io.logbunker.connect.sink.engine.RecordMapper;
import io.logbunker.connect.source.PerAdRows;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The sink's work per row inside the worker, without Kafka or a database: per-ad batch records (100 rows each, as the
 * recommended source settings write them; 5 statuses x 7 events x 5,000 ads per 10 s window, in a shuffled order
 * within each window as the source's group table emits them) decoded by CompactConverter, mapped to rows, merged in
 * key order and encoded for COPY, in batches of 500 records (a put() at the consumer's default fetch size). Prints
 * the CPU per row of each round; the first rounds warm the JIT. The rows have the source's own schemas
 * ({@link PerAdRows}). Run it on two builds' jars, alternating, to compare them. It lives in the sink's dialect package
 * for {@link PostgresCopy#encode}, which is not public.
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
        PerAdRows perAd = new PerAdRows(Corpus.FORMAT);
        List<byte[]> records = records(perAd, windows);
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
    private static List<byte[]> records(PerAdRows perAd, int windows) {
        String[] statuses = {"200", "204", "302", "404", "500"};
        String[] events = {"impression", "click", "view", "start", "midpoint", "complete", "skip"};
        CompactConverter writer = new CompactConverter();
        Random random = new Random(42);
        List<byte[]> out = new ArrayList<>();
        long start = 1_795_860_000_000L;
        for (int w = 0; w < windows; w++) {
            long windowStart = start + w * 10_000L;
            List<Struct> rows = new ArrayList<>();
            for (String status : statuses) {
                for (String event : events) {
                    for (int ad = 0; ad < 5000; ad++) {
                        long requests = 1L + random.nextInt(5);
                        rows.add(perAd.row(windowStart, windowStart + 10_000L, status, event, Integer.toString(100_000 + ad),
                                requests, 43L * requests, 0.001 * (1 + random.nextInt(300))));
                    }
                }
            }
            Collections.shuffle(rows, random);
            for (int i = 0; i < rows.size(); i += ROWS_PER_RECORD) {
                out.add(writer.fromConnectData("metrics", perAd.batchSchema(), rows.subList(i, Math.min(rows.size(), i + ROWS_PER_RECORD))));
            }
        }
        return out;
    }
}
