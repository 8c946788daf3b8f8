package io.logbunker.bench;

import io.logbunker.connect.source.tail.AccessLogTailer;
import io.logbunker.connect.source.tail.FlushBatch;
import io.logbunker.connect.source.tail.StoredOffsets;
import io.logbunker.connect.source.tail.TailerSettings;
import org.apache.kafka.common.utils.Time;

import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The source engine's scale scenarios, run the way the task runs it (poll, then wait poll.interval.ms when idle):
 * CPU of 1,000 idle tailed files, and heap with 100,000 distinct groups in one window.
 */
public final class SourceScaleBenchmark {
    private static final long POLL_INTERVAL_MS = 200;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("logbunker-scale");
        idleFiles(dir.resolve("idle"), 1000, 60);
        distinctGroups(dir.resolve("groups"), 100_000);
    }

    private static TailerSettings settings(Path dir, List<String> groupBy, int maxOpenGroups) {
        return TailerSettings.builder().includes(List.of(dir + "/*.log")).excludes(List.of()).maxOpenGroups(maxOpenGroups)
                .groupBy(groupBy).logFormat(Corpus.FORMAT).parseThreads(1).build();
    }

    static void idleFiles(Path dir, int files, int seconds) throws Exception {
        Files.createDirectories(dir);
        byte[] lines = Corpus.build(2000, 1_795_860_000L, 1000);
        for (int i = 0; i < files; i++) {
            // a distinct first line per file, as real files have (their first request differs)
            byte[] first = ("10.9." + (i / 250) + "." + (i % 250) + " - - [27/Nov/2026:08:00:00 +0000] \"GET /t?ev=first HTTP/1.1\" 200 1 "
                    + "\"-\" \"bench\" 0.001\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Path f = dir.resolve("access-" + i + ".log");
            Files.write(f, first);
            Files.write(f, lines, java.nio.file.StandardOpenOption.APPEND);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (AccessLogTailer t = new AccessLogTailer(settings(dir, List.of("status"), 50_000), Time.SYSTEM, StoredOffsets.NONE)) {
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() < deadline) { // read everything and let the idle flush happen
                t.poll();
                Thread.sleep(POLL_INTERVAL_MS);
            }
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long end = wall0 + seconds * 1_000_000_000L;
            int polls = 0;
            while (System.nanoTime() < end) {
                List<FlushBatch> b = t.poll();
                polls++;
                if (b.isEmpty() && !t.hasBacklog()) {
                    Thread.sleep(POLL_INTERVAL_MS);
                }
            }
            double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            double wall = (System.nanoTime() - wall0) / 1e9;
            System.out.printf("idle files: %d tracked, %d polls in %.0f s: %.2f%% of one core (poll.interval.ms=%d, scan every 1 s)%n",
                    t.stats().filesTracked(), polls, wall, 100 * cpu / wall, POLL_INTERVAL_MS);
        }
    }

    static void distinctGroups(Path dir, int groups) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("access.log");
        // one window, every line a new (status, arg_ad) group
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < groups; i++) {
                w.write("10.0.0." + (i % 250) + " - - [27/Nov/2026:08:00:" + String.format("%02d", (i / 2000) % 60)
                        + " +0000] \"GET /t?ev=click&ad=" + i + " HTTP/1.1\" 200 43 \"-\" \"bench\" 0.001\n");
            }
        }
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        try (AccessLogTailer t = new AccessLogTailer(settings(dir, List.of("status", "arg_ad"), 1_000_000), Time.SYSTEM,
                StoredOffsets.NONE)) {
            while (t.stats().filesTracked() == 0 || t.hasBacklog()) {
                t.poll();
            }
            System.gc();
            long held = mem.getHeapMemoryUsage().getUsed() - before;
            System.out.printf("distinct groups: %,d open groups in one window hold %.1f MiB of heap (%.0f bytes per group); "
                    + "max.open.groups (default 50,000) bounds it%n", t.stats().openGroups(), held / 1048576.0,
                    (double) held / Math.max(1, t.stats().openGroups()));
        }
    }
}
