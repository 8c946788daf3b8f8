package io.logbunker.bench;

import io.logbunker.demo.LocalKafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU seconds of the pipeline's processes between two samples: the broker, the workers (and their JIT compiler
 * threads apart), and PostgreSQL's processes, read from /proc.
 */
final class ProcessCpu {
    private static final long CLK_TCK = 100;

    private final LocalKafka kafka;

    ProcessCpu(LocalKafka kafka) {
        this.kafka = kafka;
    }

    /** CPU ticks of the broker, the workers, and each postgres process by pid ("pg:<pid>"). */
    Map<String, Long> sample() throws IOException {
        Map<String, Long> ticks = new HashMap<>();
        List<Process> ps = kafka.processes();
        ticks.put("broker", ticks(ps.get(0).pid()));
        long workers = 0;
        long jit = 0;
        for (int i = 1; i < ps.size(); i++) {
            workers += ticks(ps.get(i).pid());
            jit += compilerTicks(ps.get(i).pid());
        }
        ticks.put("workers", workers);
        ticks.put("jit", jit);
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).collect(Collectors.toList())) {
                try {
                    String comm = Files.readString(p.resolve("comm")).trim();
                    if (comm.startsWith("postgres") || comm.startsWith("postmaster")) {
                        ticks.put("pg:" + p.getFileName(), ticks(Long.parseLong(p.getFileName().toString())));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // a process that just exited
                }
            }
        }
        return ticks;
    }

    /** Seconds per group; postgres counts processes alive at both samples plus those started since. */
    Map<String, Double> since(Map<String, Long> before) throws IOException {
        Map<String, Long> now = sample();
        Map<String, Double> secs = new LinkedHashMap<>();
        secs.put("broker", (now.get("broker") - before.get("broker")) / (double) CLK_TCK);
        secs.put("workers", (now.get("workers") - before.get("workers")) / (double) CLK_TCK);
        secs.put("jit", (now.get("jit") - before.get("jit")) / (double) CLK_TCK);
        long pg = 0;
        for (Map.Entry<String, Long> e : now.entrySet()) {
            if (e.getKey().startsWith("pg:")) {
                pg += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        secs.put("postgres", pg / (double) CLK_TCK);
        return secs;
    }

    /** utime + stime of a process's JIT compiler threads (HotSpot names them "C1/C2 CompilerThreadN"), in clock ticks. */
    private static long compilerTicks(long pid) throws IOException {
        long sum = 0;
        try (Stream<Path> threads = Files.list(Paths.get("/proc/" + pid + "/task"))) {
            for (Path t : threads.collect(Collectors.toList())) {
                try {
                    if (Files.readString(t.resolve("comm")).contains("CompilerThre")) {
                        sum += ticks(t.resolve("stat"));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // a thread that just exited
                }
            }
        }
        return sum;
    }

    /** utime + stime of a process, in clock ticks. */
    private static long ticks(long pid) throws IOException {
        return ticks(Paths.get("/proc/" + pid + "/stat"));
    }

    private static long ticks(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
