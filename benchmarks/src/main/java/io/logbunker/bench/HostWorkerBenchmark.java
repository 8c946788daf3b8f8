package io.logbunker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.logbunker.demo.LocalKafka;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a per-host worker costs (README, "Running on a fleet"): one Connect worker with the heap the fleet template
 * recommends, running only the per-host source connector of connect-configs/fleet, while a writer appends nginx
 * lines stamped with the current time at --rate lines/s (default 20,000, the original system's per-machine load) for
 * --seconds. Samples the worker's CPU (utime + stime), heap used (JMX) and resident memory once a second, and reports
 * them after a warm-up third of the run; checks at the end that the source read every line.
 */
public final class HostWorkerBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CLK_TCK = 100;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path repo = Paths.get(opts.getOrDefault("repo", ".")).toAbsolutePath();
        Path state = Paths.get(opts.getOrDefault("state-dir", ".bench/host-worker")).toAbsolutePath();
        int rate = Integer.parseInt(opts.getOrDefault("rate", "20000"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "120"));
        String heap = opts.getOrDefault("heap", "512m");
        int kafkaPort = Integer.parseInt(opts.getOrDefault("kafka-port", "19392"));
        int jmxPort = 19_399;
        deleteRecursively(state);
        Path logs = Files.createDirectories(state.resolve("nginx"));
        Path log = logs.resolve("access.log");
        Files.createFile(log);
        try (LocalKafka kafka = new LocalKafka(repo, state)) {
            kafka.startBroker(kafkaPort);
            kafka.allowLogDirectories(List.of(logs));
            kafka.workerJvmOptions(List.of("-Xms" + heap, "-Xmx" + heap));
            Map<String, String> worker = new HashMap<>();
            worker.put("config.providers", "env");
            worker.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
            kafka.workerLaunch(List.of(), Map.of("HOSTNAME", "web-01"));
            String plugins = repo.resolve("source-connector/target/plugin").toString();
            String url = kafka.startWorker("host-worker", kafkaPort, 19_383, jmxPort, plugins, worker, List.of("AccessLogSourceConnector"));
            long pid = kafka.processes().get(kafka.processes().size() - 1).pid();
            ObjectNode source = (ObjectNode) JSON.readTree(repo.resolve("connect-configs/fleet/access-log-source-per-host.json").toFile());
            source.put("files", logs + "/access.log*");
            source.remove("path.dimensions");
            source.put("topic.creation.default.replication.factor", "1");
            source.put("topic.creation.default.partitions", "1");
            kafka.putConnector(url, source);
            String name = source.get("name").asText();

            AtomicBoolean writing = new AtomicBoolean(true);
            long[] written = new long[1];
            Thread writer = new Thread(() -> write(log, rate, writing, written), "writer");
            writer.start();
            List<double[]> samples = new ArrayList<>(); // cpu ticks, heap used MiB, RSS MiB
            try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort
                    + "/jmxrmi"))) {
                MBeanServerConnection server = jmx.getMBeanServerConnection();
                ObjectName memory = new ObjectName("java.lang:type=Memory");
                for (int s = 0; s < seconds; s++) {
                    Thread.sleep(1000);
                    CompositeData heapUsage = (CompositeData) server.getAttribute(memory, "HeapMemoryUsage");
                    samples.add(new double[] {ticks(pid), ((Long) heapUsage.get("used")) / 1048576.0, rssMib(pid)});
                }
            }
            writing.set(false);
            writer.join();
            long deadline = System.nanoTime() + 60_000_000_000L;
            Double read = null;
            while (System.nanoTime() < deadline) {
                read = LocalKafka.pluginMetric(jmxPort, name, "lines-read-total");
                if (read != null && read >= written[0]) {
                    break;
                }
                Thread.sleep(500);
            }
            int from = samples.size() / 3;
            double cpuSeconds = (samples.get(samples.size() - 1)[0] - samples.get(from)[0]) / CLK_TCK;
            int span = samples.size() - 1 - from;
            double heapMax = samples.stream().skip(from).mapToDouble(x -> x[1]).max().orElse(0);
            double heapAvg = samples.stream().skip(from).mapToDouble(x -> x[1]).average().orElse(0);
            double rssMax = samples.stream().skip(from).mapToDouble(x -> x[2]).max().orElse(0);
            System.out.printf("%nPer-host worker (-Xmx%s), the per-host source only, %,d lines/s for %d s (%,d lines; the source "
                    + "read %,.0f):%n", heap, rate, seconds, written[0], read == null ? -1 : read);
            System.out.printf("CPU: %.1f%% of one core (%.1f CPU s in the last %d s)%n", 100 * cpuSeconds / span, cpuSeconds, span);
            System.out.printf("heap used: %.0f MiB on average, %.0f MiB at most; resident memory at most %.0f MiB%n", heapAvg, heapMax,
                    rssMax);
        }
    }

    /** nginx combined lines with the current time, in 100 batches a second. */
    private static void write(Path log, int rate, AtomicBoolean writing, long[] written) {
        DateTimeFormatter tl = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
        String[] statuses = {"200", "200", "200", "200", "200", "200", "304", "404", "301", "500"};
        try (OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
            long next = System.nanoTime();
            int perTick = Math.max(1, rate / 100);
            Random rnd = new Random(1);
            StringBuilder sb = new StringBuilder(perTick * 200);
            while (writing.get()) {
                String t = tl.format(Instant.now());
                sb.setLength(0);
                for (int i = 0; i < perTick; i++) {
                    sb.append("10.0.").append(rnd.nextInt(256)).append('.').append(rnd.nextInt(256)).append(" - - [").append(t)
                            .append("] \"GET /products/").append(rnd.nextInt(5000)).append(" HTTP/1.1\" ")
                            .append(statuses[rnd.nextInt(statuses.length)]).append(' ').append(200 + rnd.nextInt(20000))
                            .append(" \"https://shop.example/\" \"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\"\n");
                }
                out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                written[0] += perTick;
                next += 10_000_000L;
                Corpus.sleepUntil(next);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double ticks(long pid) throws Exception {
        String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static double rssMib(long pid) throws Exception {
        for (String line : Files.readAllLines(Paths.get("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return 0;
    }

    private static void deleteRecursively(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
