package io.logbunker.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Live tailing: a writer appends {@code rate} lines/s stamped with the current time while the pipeline runs with
 * 10 s windows and 2 s grace. Reports, per closed window, the latency from window end until the table holds the
 * window's exact total, and the source's committed-offset lag over time.
 */
final class LiveTailing {
    private final PipelineBenchmark bench;

    LiveTailing(PipelineBenchmark bench) {
        this.bench = bench;
    }

    void run(String url, int rate, int seconds) throws Exception {
        String topic = "live-metrics-" + bench.id;
        String table = "live_metrics_" + bench.id;
        bench.topics.create(topic, 3);
        Path dir = bench.state.resolve("live");
        BenchFiles.deleteRecursively(dir);
        Files.createDirectories(dir);
        Path log = dir.resolve("access.log");
        Files.createFile(log);
        ObjectNode sink = PipelineBenchmark.JSON.createObjectNode();
        sink.put("name", "live-sink-" + bench.id);
        sink.put("connector.class", "io.logbunker.connect.sink.AggregateUpsertSinkConnector");
        sink.put("topics", topic);
        sink.put("connection.url", bench.pgUrl);
        sink.put("connection.user", bench.pgUser);
        sink.put("table.name.format", table);
        sink.put("consumer.override.isolation.level", "read_committed");
        ObjectNode source = PipelineBenchmark.JSON.createObjectNode();
        source.put("name", "live-source-" + bench.id);
        source.put("connector.class", "io.logbunker.connect.source.AccessLogSourceConnector");
        source.put("exactly.once.support", "required");
        source.put("files", log.toString());
        source.put("log.format", bench.format);
        source.put("group.by", "status,arg_ev");
        source.put("topic", topic);
        source.put("window.size.ms", "10000");
        source.put("window.grace.ms", "2000");
        source.put("flush.idle.ms", "2000");
        bench.kafka.putConnector(url, sink);
        bench.kafka.putConnector(url, source);
        Thread.sleep(3000);

        Map<Long, Long> truth = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            java.time.format.DateTimeFormatter tl = java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.ENGLISH)
                    .withZone(java.time.ZoneOffset.UTC);
            try (var out = Files.newOutputStream(log, java.nio.file.StandardOpenOption.APPEND)) {
                long next = System.nanoTime();
                int perTick = rate / 100;
                StringBuilder sb = new StringBuilder(perTick * 200);
                java.util.Random rnd = new java.util.Random(1);
                while (writing.get()) {
                    long now = System.currentTimeMillis();
                    String t = tl.format(java.time.Instant.ofEpochMilli(now));
                    sb.setLength(0);
                    for (int i = 0; i < perTick; i++) {
                        sb.append("10.0.").append(rnd.nextInt(256)).append('.').append(rnd.nextInt(256)).append(" - - [").append(t)
                                .append("] \"GET /t?ev=").append(rnd.nextInt(5) == 0 ? "click" : "impression").append("&ad=")
                                .append(rnd.nextInt(200)).append(" HTTP/1.1\" 200 43 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" 0.001\n");
                    }
                    out.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    truth.merge(now / 1000 * 1000 / 10_000 * 10_000, (long) perTick, Long::sum);
                    next += 10_000_000L;
                    Corpus.sleepUntil(next);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "live-writer");
        writer.start();
        Map<Long, Double> latency = new java.util.TreeMap<>();
        List<Long> lagSamples = new ArrayList<>();
        long end = System.currentTimeMillis() + seconds * 1000L;
        try (Connection db = bench.database()) {
            while (System.currentTimeMillis() < end) {
                Thread.sleep(100);
                long now = System.currentTimeMillis();
                try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT EXTRACT(EPOCH FROM window_start) * 1000, "
                        + "SUM(requests) FROM \"" + table + "\" GROUP BY 1")) {
                    while (rs.next()) {
                        long w = (long) rs.getDouble(1);
                        Long expect = truth.get(w);
                        if (expect != null && now > w + 10_000 + 1000 && !latency.containsKey(w) && rs.getLong(2) == expect) {
                            latency.put(w, (now - (w + 10_000)) / 1000.0);
                        }
                    }
                } catch (java.sql.SQLException e) {
                    // no table yet
                }
                if (now % 1000 < 100) {
                    lagSamples.add(lag(url, log));
                }
            }
        }
        writing.set(false);
        writer.join();
        System.out.printf("%nLive tailing at %,d lines/s for %d s, 10 s windows, window.grace.ms=2000:%n", rate, seconds);
        System.out.printf("window-to-database latency per window (s, window end -> exact total in the table): %s%n", latency.values());
        System.out.printf("committed-offset lag samples (MB, one per second): %s%n", lagSamples.stream()
                .map(b -> String.format("%.0f", b / 1048576.0)).collect(Collectors.joining(" ")));
        bench.deleteConnector(url, "live-source-" + bench.id);
        bench.deleteConnector(url, "live-sink-" + bench.id);
    }

    private long lag(String url, Path log) {
        try {
            long size = Files.size(log);
            for (com.fasterxml.jackson.databind.JsonNode o : bench.kafka.getJson(url, "/connectors/live-source-" + bench.id + "/offsets").path("offsets")) {
                return size - o.path("offset").path("position").asLong();
            }
            return size;
        } catch (Exception e) {
            return -1;
        }
    }
}
