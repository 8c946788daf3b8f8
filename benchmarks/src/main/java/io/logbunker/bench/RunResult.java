package io.logbunker.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** One timed run of a scenario, and the Markdown table of a benchmark's runs. */
record RunResult(String scenario, double seconds, long lines, Map<String, Double> cpuSeconds, double kafkaBytesPerLine,
                 long records, long rows, long recordBytes, long windows) {
    RunResult(String scenario, double seconds, long lines, Map<String, Double> cpuSeconds, double kafkaBytesPerLine) {
        this(scenario, seconds, lines, cpuSeconds, kafkaBytesPerLine, 0, 0, 0, 0);
    }

    double linesPerSecond() {
        return lines / seconds;
    }

    void report() {
        RunResult r = this;
        System.out.printf("%-70s %6.1f s  %,12.0f lines/s  cpu %s  %.3f Kafka bytes/line%s%n", r.scenario(), r.seconds(),
                r.linesPerSecond(), r.cpuSeconds(), r.kafkaBytesPerLine(), r.rows() == 0 ? ""
                        : String.format("  %,d records, %,d rows in %d windows (%,d rows per window, %.2f records per row, %.0f "
                                + "bytes per record, %,.0f rows/s)", r.records(), r.rows(), r.windows(), r.rows() / Math.max(1, r.windows()),
                        (double) r.records() / r.rows(), (double) r.recordBytes() / Math.max(1, r.records()), r.rows() / r.seconds()));
    }

    static String table(List<RunResult> results, long corpusBytes) {
        Map<String, List<RunResult>> by = results.stream().collect(Collectors.groupingBy(RunResult::scenario, LinkedHashMap::new, Collectors.toList()));
        StringBuilder sb = new StringBuilder();
        long n = results.isEmpty() ? 0 : results.get(0).lines();
        sb.append(String.format("%n%,d %s, %d runs each, alternating; per second from connector registration (kept "
                + "connectors: from the file's arrival) until the output is complete%n%n", n, corpusBytes > 0 ? String.format("lines, %,d bytes", corpusBytes) : "records",
                results.size() / Math.max(1, by.size())));
        boolean lines = corpusBytes > 0;
        sb.append(lines ? "| scenario | lines/s min | median | max | CPU s broker / worker (of it JIT) / postgres (median run) | Kafka bytes per input line "
                + "| rows per window / records per row / bytes per record / rows/s (median run) |\n"
                : "| scenario | records/s min | median | max | CPU s broker / worker (of it JIT) / postgres (median run) |\n");
        sb.append(lines ? "| --- | --- | --- | --- | --- | --- | --- |\n" : "| --- | --- | --- | --- | --- |\n");
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Map.Entry<String, List<RunResult>> e : by.entrySet()) {
            List<RunResult> rs = new ArrayList<>(e.getValue());
            rs.sort((a, b) -> Double.compare(a.linesPerSecond(), b.linesPerSecond()));
            RunResult med = rs.get(rs.size() / 2);
            medians.put(e.getKey(), med.linesPerSecond());
            Map<String, Double> cpu = med.cpuSeconds();
            sb.append(String.format("| %s | %,.0f | %,.0f | %,.0f | %.1f / %.1f (%.1f) / %.1f |%s%n", e.getKey(), rs.get(0).linesPerSecond(),
                    med.linesPerSecond(), rs.get(rs.size() - 1).linesPerSecond(), cpu.getOrDefault("broker", 0.0),
                    cpu.getOrDefault("workers", 0.0), cpu.getOrDefault("jit", 0.0), cpu.getOrDefault("postgres", 0.0),
                    lines ? String.format(" %.3f | %s |", med.kafkaBytesPerLine(), med.rows() == 0 ? ""
                            : String.format("%,d / %.2f / %.0f / %,.0f", med.rows() / Math.max(1, med.windows()),
                            (double) med.records() / med.rows(), (double) med.recordBytes() / Math.max(1, med.records()),
                            med.rows() / med.seconds())) : ""));
        }
        List<Double> m = new ArrayList<>(medians.values());
        List<String> names = new ArrayList<>(medians.keySet());
        if (m.size() == 2 && names.get(0).startsWith("FileStream")) {
            sb.append(String.format("%nRatio (median LogBunker end to end / median FileStreamSource raw shipping): %.2fx%n", m.get(1) / m.get(0)));
        } else if (m.size() > 2 && names.get(0).startsWith("FileStream")) {
            sb.append('\n');
            for (int i = 1; i < m.size(); i++) {
                sb.append(String.format("Ratio (median of \"%s\" / median of the first row): %.2fx%n", names.get(i), m.get(i) / m.get(0)));
            }
        } else if (m.size() == 2 && names.get(1).startsWith("Debezium")) {
            sb.append(String.format("%nRatio (median LogBunker sink / median Debezium JDBC sink): %.2fx%n", m.get(0) / m.get(1)));
        } else if (m.size() == 2) {
            sb.append(String.format("%nScaling (median of the second row / median of the first): %.2fx%n", m.get(1) / m.get(0)));
        }
        return sb.toString();
    }

    /** One run of a round, a warm-up's or a timed one's. */
    interface RoundRun {
        RunResult run(int round) throws Exception;
    }

    /**
     * Times a round's runs into {@code results}: in the order listed in odd rounds, reversed in even ones, so that none
     * always runs after the same other (in section 29 the second of a pair was ahead in all six rounds, whichever it was).
     */
    static void timeRound(List<RoundRun> runs, int round, List<RunResult> results) throws Exception {
        List<RoundRun> order = new ArrayList<>(runs);
        if (round % 2 == 0) {
            java.util.Collections.reverse(order);
        }
        for (RoundRun run : order) {
            results.add(run.run(round));
        }
    }
}
