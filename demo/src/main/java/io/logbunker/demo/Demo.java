package io.logbunker.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The local demo: a KRaft broker and a Connect distributed worker as child processes (from the Maven-resolved
 * Kafka jars), both LogBunker plugins on plugin.path, the connectors registered through the REST API with the
 * files in connect-configs/, a traffic generator appending nginx lines, and a progress line every few seconds.
 * Ctrl-C stops everything it started; running it again resumes from the state directory.
 */
public final class Demo {
    private static final String SOURCE = "access-log-source";
    private static final String SINK = "aggregate-sink";

    private final Map<String, String> opts;
    private final Path repo;
    private final Path state;
    private LocalKafka kafka;
    private int jmxPort;
    /** Set when Ctrl-C or --duration begins the shutdown: children exiting are then expected, not an error. */
    private volatile boolean stopping;
    private TrafficGenerator generator;
    private String connectUrl;

    private Demo(Map<String, String> opts) {
        this.opts = opts;
        this.repo = Paths.get(opts.getOrDefault("repo", ".")).toAbsolutePath().normalize();
        this.state = repo.resolve(opts.getOrDefault("state-dir", ".demo")).toAbsolutePath().normalize();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                usage();
                return;
            }
            if (!a.startsWith("--") || i + 1 >= args.length) {
                System.err.println("demo: unexpected argument '" + a + "'");
                usage();
                System.exit(2);
            }
            opts.put(a.substring(2), args[++i]);
        }
        Demo demo = new Demo(opts);
        try {
            demo.run();
        } catch (DemoException | LocalKafka.LocalKafkaException | IllegalArgumentException e) {
            if (demo.stopping) {
                return; // Ctrl-C while starting or running: the shutdown hook is cleaning up
            }
            System.err.println("\ndemo: " + e.getMessage());
            demo.shutdown();
            System.exit(1);
        }
    }

    /** The directory a glob starts from: its part before the first wildcard, up to the last '/'. */
    private static Path globBase(String glob) {
        int wild = glob.length();
        for (char c : new char[] {'*', '?', '[', '{'}) {
            int i = glob.indexOf(c);
            if (i >= 0) {
                wild = Math.min(wild, i);
            }
        }
        return Paths.get(glob.substring(0, Math.max(1, glob.lastIndexOf('/', wild))));
    }

    private static void usage() {
        System.out.println(String.join("\n",
                "bin/demo [options]",
                "  --log GLOB            tail these existing logs instead of generated traffic (absolute glob)",
                "  --log-format FORMAT   their format: a preset (combined, common, main) or an nginx log_format (default combined)",
                "  --jdbc-url URL        write to this database instead of .demo/metrics.db (e.g. jdbc:postgresql://127.0.0.1:5432/test)",
                "  --jdbc-user USER      --jdbc-password PASSWORD",
                "  --rate N              generated lines per second (default 2000)",
                "  --kafka-port N        broker port on 127.0.0.1 (default 19092; the controller uses N+1)",
                "  --connect-port N      Connect REST port on 127.0.0.1 (default 18083)",
                "  --state-dir DIR       where Kafka data, logs and the SQLite file live (default .demo)",
                "  --duration SECONDS    stop by itself after this long (default: run until Ctrl-C)"));
    }

    /** The Prometheus JMX exporter agent jar from the demo's class path (a Maven dependency), or null. */
    private static String prometheusAgent() {
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.contains("jmx_prometheus_javaagent")) {
                return e;
            }
        }
        return null;
    }

    private static final class DemoException extends RuntimeException {
        DemoException(String message) {
            super(message);
        }
    }

    private void run() throws Exception {
        int kafkaPort = intOpt("kafka-port", 19092);
        int connectPort = intOpt("connect-port", 18083);
        Path sourcePlugin = repo.resolve("source-connector/target/plugin");
        Path sinkPlugin = repo.resolve("sink-connector/target/plugin");
        for (Path p : List.of(sourcePlugin, sinkPlugin)) {
            if (!Files.isDirectory(p)) {
                throw new DemoException(p + " is missing: build the plugins first (bin/demo does: mvn -DskipTests install)");
            }
        }
        kafka = new LocalKafka(repo, state);
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "demo-shutdown"));

        say("Starting Kafka (KRaft) on 127.0.0.1:" + kafkaPort + "  (log: " + state.resolve("logs/kafka.log") + ")");
        kafka.startBroker(kafkaPort);
        say("Starting a Connect worker (exactly-once source support) on http://127.0.0.1:" + connectPort + "  (log: "
                + state.resolve("logs/connect.log") + ")");
        jmxPort = connectPort + 1;
        String logGlob = opts.get("log");
        kafka.allowLogDirectories(List.of(logGlob == null ? state.resolve("logs") : globBase(logGlob)));
        int metricsPort = connectPort + 2;
        String agent = prometheusAgent();
        if (agent != null) {
            kafka.workerJvmOptions(List.of("-javaagent:" + agent + "=127.0.0.1:" + metricsPort + ":"
                    + repo.resolve("connect-configs/prometheus/jmx-exporter.yml")));
        }
        connectUrl = kafka.startWorker("connect", kafkaPort, connectPort, jmxPort, sourcePlugin + "," + sinkPlugin, Map.of(),
                List.of("AccessLogSourceConnector", "AggregateUpsertSinkConnector"));
        say("Connect is up with both plugins loaded from plugin.path");
        if (agent != null) {
            say("Prometheus metrics: http://127.0.0.1:" + metricsPort + "/metrics  (rules: connect-configs/prometheus/jmx-exporter.yml; "
                    + "dashboard: connect-configs/grafana/logbunker-dashboard.json)");
        }

        String format = opts.getOrDefault("log-format", logGlob == null ? TrafficGenerator.FORMAT : "combined");
        if (logGlob == null) {
            Path log = state.resolve("logs/access.log");
            generator = new TrafficGenerator(log, intOpt("rate", 2000), 64L << 20);
            Thread t = new Thread(generator, "traffic-generator");
            t.setDaemon(true);
            t.start();
            logGlob = log + "*";
            say("Generating " + intOpt("rate", 2000) + " nginx lines/s into " + log);
        }
        Map<String, String> values = new HashMap<>();
        values.put("LOG_FILES", logGlob);
        values.put("LOG_FORMAT", format.replace("\\", "\\\\").replace("\"", "\\\""));
        values.put("HOST_NAME", InetAddress.getLocalHost().getHostName());
        values.put("REPLICATION_FACTOR", "1");
        String jdbcUrl = opts.get("jdbc-url");
        String sinkFile;
        if (jdbcUrl == null) {
            values.put("SQLITE_PATH", state.resolve("metrics.db").toString());
            jdbcUrl = "jdbc:sqlite:" + state.resolve("metrics.db");
            sinkFile = "connect-configs/aggregate-sink-sqlite.json";
        } else {
            values.put("JDBC_URL", jdbcUrl);
            values.put("JDBC_USER", opts.getOrDefault("jdbc-user", ""));
            values.put("JDBC_PASSWORD", opts.getOrDefault("jdbc-password", ""));
            sinkFile = "connect-configs/aggregate-sink-postgres.json";
        }
        for (String file : List.of("connect-configs/access-log-source.json", sinkFile)) {
            JsonNode config = kafka.connectorConfig(file, values);
            kafka.putConnector(connectUrl, config);
            say("Registered " + config.get("name").asText() + " from " + file + " through PUT /connectors/"
                    + config.get("name").asText() + "/config");
        }
        say("Query the table:  " + (jdbcUrl.startsWith("jdbc:sqlite:")
                ? "sqlite3 " + state.resolve("metrics.db") + " "
                : "psql ... -c ") + "'SELECT window_start, status, arg_ev, requests, bytes_sent FROM access_metrics ORDER BY window_start DESC LIMIT 20'");
        say("Status:           curl -s " + connectUrl + "/connectors/" + SOURCE + "/status");
        say("Ctrl-C stops everything; running bin/demo again resumes where it stopped.\n");

        long until = opts.containsKey("duration") ? System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(opts.get("duration")))
                : Long.MAX_VALUE;
        Path logDir = Paths.get(logGlob.substring(0, logGlob.lastIndexOf('/')));
        String jdbcUser = opts.get("jdbc-user");
        String jdbcPassword = opts.get("jdbc-password");
        while (System.nanoTime() < until && !stopping) {
            Thread.sleep(3000);
            if (stopping) {
                return;
            }
            kafka.checkChildren();
            say(progress(logDir, jdbcUrl, jdbcUser, jdbcPassword));
        }
        if (stopping) {
            return;
        }
        say("Done (--duration reached).");
        shutdown();
        System.exit(0);
    }

    private String progress(Path logDir, String jdbcUrl, String user, String password) {
        StringBuilder sb = new StringBuilder();
        if (generator != null) {
            sb.append(String.format("written %,d lines | ", generator.linesWritten()));
        }
        Double read = LocalKafka.pluginMetric(jmxPort, SOURCE, "lines-read-total");
        Double unread = LocalKafka.pluginMetric(jmxPort, SOURCE, "bytes-behind-total");
        Double rejected = LocalKafka.pluginMetric(jmxPort, SOURCE, "lines-rejected-total");
        sb.append(read == null ? "source metrics: n/a | " : String.format("read %,.0f lines (%,.0f rejected), %,.0f bytes unread | ", read,
                rejected == null ? 0 : rejected, unread == null ? 0 : unread));
        sb.append(String.format("not yet committed %s bytes | ", bytesBehind(logDir)));
        sb.append("source ").append(kafka.taskState(connectUrl, SOURCE)).append(" | sink ").append(kafka.taskState(connectUrl, SINK)).append(" | ");
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*), COALESCE(SUM(requests), 0) FROM access_metrics")) {
            rs.next();
            sb.append(String.format("table: %,d rows, %,d requests", rs.getLong(1), rs.getLong(2)));
        } catch (Exception e) {
            sb.append("table: not yet created");
        }
        return sb.toString();
    }

    /** Bytes of the tailed files past the source's committed positions (from GET /connectors/.../offsets). */
    private String bytesBehind(Path logDir) {
        try {
            JsonNode offsets = kafka.getJson(connectUrl, "/connectors/" + SOURCE + "/offsets").path("offsets");
            Map<String, Long> positionByPath = new HashMap<>();
            for (JsonNode o : offsets) {
                positionByPath.put(o.path("offset").path("path").asText(), o.path("offset").path("position").asLong());
            }
            long behind = 0;
            try (var files = Files.list(logDir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().startsWith("access.log")).collect(Collectors.toList())) {
                    behind += Math.max(0, Files.size(f) - positionByPath.getOrDefault(f.toString(), 0L));
                }
            }
            return String.format("%,d", behind);
        } catch (Exception e) {
            return "?";
        }
    }

    private synchronized void shutdown() {
        stopping = true;
        if (generator != null) {
            generator.stop();
        }
        if (kafka != null && !kafka.processes().isEmpty()) {
            kafka.close(); // the worker first, so tasks stop cleanly while the broker is still there
            say("Stopped the Connect worker and Kafka. State is kept in " + state + "; run bin/demo again to resume.");
        }
    }

    private int intOpt(String name, int dflt) {
        String v = opts.get(name);
        try {
            return v == null ? dflt : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new DemoException("--" + name + " takes a number, got '" + v + "'");
        }
    }

    private static void say(String s) {
        System.out.println("[" + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + s);
    }
}
