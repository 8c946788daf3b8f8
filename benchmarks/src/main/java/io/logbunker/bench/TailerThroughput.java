package io.logbunker.bench;

import io.logbunker.connect.source.tail.AccessLogTailer;
import io.logbunker.connect.source.tail.FlushBatch;
import io.logbunker.connect.source.tail.StoredOffsets;
import io.logbunker.connect.source.tail.TailerSettings;
import org.apache.kafka.common.utils.Time;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The source engine alone (no Connect, no Kafka) reading a pre-written file end to end, the way the task polls it:
 * separates the tailer's own cost from the rest of the pipeline. FILE may be gzip (read as a compressed rotation).
 * Usage: TailerThroughput FILE [parseThreads [readChunkBytes [windowMs [maxOpenGroups [graceMs]]]]]. Given a window, it also counts
 * the distinct (window, group) rows the records add up to, and prints records per row (the partials the sink merges):
 * in the first run only, whose time therefore includes that count; the later runs time the engine alone.
 */
public final class TailerThroughput {
    public static void main(String[] args) throws Exception {
        Path file = Paths.get(args[0]).toAbsolutePath();
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int chunkBytes = args.length > 2 ? Integer.parseInt(args[2]) : 4 << 20;
        boolean cardinality = args.length > 3;
        long windowMs = cardinality ? Long.parseLong(args[3]) : 60_000;
        int maxOpenGroups = args.length > 4 ? Integer.parseInt(args[4]) : 50_000;
        long graceMs = args.length > 5 ? Long.parseLong(args[5]) : 5_000;
        for (int run = 1; run <= 4; run++) {
            boolean countRows = cardinality && run == 1;
            TailerSettings s = TailerSettings.builder().includes(List.of(file.toString())).excludes(List.of())
                    .flushIdleMs(500).readChunkBytes(chunkBytes).groupBy(List.of("status", "arg_ev", "arg_ad"))
                    .window(windowMs, graceMs).maxOpenGroups(maxOpenGroups)
                    .logFormat(Corpus.FORMAT).parseThreads(threads).parallelMinBytes(1 << 20).compressedBackfill(true).build();
            long cpu0 = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? os.getProcessCpuTime() : 0;
            long t0 = System.nanoTime();
            long rows = 0;
            java.util.Set<String> distinct = new java.util.HashSet<>();
            try (AccessLogTailer t = new AccessLogTailer(s, Time.SYSTEM, StoredOffsets.NONE)) {
                do {
                    for (FlushBatch b : t.poll()) {
                        rows += b.rows().size();
                        if (countRows) {
                            b.rows().forEach(r -> distinct.add(r.windowStart() + "|" + r.dimensions()));
                        }
                    }
                } while (t.stats().filesTracked() == 0 || t.hasBacklog());
                for (FlushBatch b : t.flushAll()) {
                    rows += b.rows().size();
                    if (countRows) {
                        b.rows().forEach(r -> distinct.add(r.windowStart() + "|" + r.dimensions()));
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                long cpu1 = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
                System.out.printf("run %d, %d parse thread(s): %,d lines in %.2f s = %,.0f lines/s, %.1f CPU s, %,d rows%n", run, threads,
                        t.stats().linesRead(), secs, t.stats().linesRead() / secs, (cpu1 - cpu0) / 1e9, rows);
                if (countRows) {
                    System.out.printf("      %,d distinct (window, group) rows, %.2f records per row, %.2f lines per row%n",
                            distinct.size(), (double) rows / distinct.size(), (double) t.stats().linesRead() / distinct.size());
                }
            }
        }
    }
}
