package io.logbunker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Task scaling: two files of half the corpus each, one connector with tasks.max=1 and then 2 (parse.threads=1, so
 * each task parses on one core), alternating. Files go to tasks by a hash of their identity, so the second file
 * starts with a line chosen to land on the other task than the first.
 */
final class TaskScaling {
    private final PipelineBenchmark bench;

    TaskScaling(PipelineBenchmark bench) {
        this.bench = bench;
    }

    void run(String url, int runs) throws Exception {
        long half = bench.lines / 2;
        Path dir = bench.state.resolve("tasks-input");
        Files.createDirectories(dir);
        Path a = dir.resolve("a.log");
        BenchFiles.writePrefix(bench.corpus, a, half);
        String first = Files.newBufferedReader(a, java.nio.charset.StandardCharsets.ISO_8859_1).readLine();
        Path b = dir.resolve("b.log");
        int taskOfA = taskOf(a);
        String header = null;
        for (int i = 1; header == null; i++) {
            String candidate = "192.0.2." + i + first.substring(first.indexOf(' ')) + "\n";
            Path probe = dir.resolve("probe");
            Files.writeString(probe, candidate, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (taskOf(probe) != taskOfA) {
                header = candidate;
            }
            Files.delete(probe);
        }
        if (BenchFiles.countLines(b) != half + 1) {
            try (var out = Files.newOutputStream(b); var in = Files.newInputStream(a)) {
                out.write(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                in.transferTo(out);
            }
        }
        long total = 2 * half + 1;
        bench.warmUp("LogBunker, 2 tasks", k -> bench.pipeline(url, "wt" + k, List.of(a, b), total, 2, 1, "warm-up"));
        List<RunResult> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (int tasks = 1; tasks <= 2; tasks++) {
                RunResult res = bench.pipeline(url, r + "t" + tasks, List.of(a, b), total, tasks, 1,
                        "LogBunker, 2 files, parse.threads=1, tasks.max=" + tasks);
                results.add(res);
            }
        }
        String table = RunResult.table(results, Files.size(a) + Files.size(b));
        System.out.println(table);
        Files.writeString(bench.state.resolve("results-tasks.md"), table);
    }

    /** The task (of 2) that a file goes to: {@code hash(identity) mod 2}, as the source assigns files. */
    private static int taskOf(Path file) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            return Math.floorMod(io.logbunker.connect.source.tail.Fingerprints.identity(ch, 65536).hashCode(), 2);
        }
    }
}
