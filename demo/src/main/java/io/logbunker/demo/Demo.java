package io.logbunker.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The local demo: a KRaft broker and a Connect distributed worker as child processes (from the Maven-resolved
 * Kafka jars), both LogBunker plugins on plugin.path, the connectors registered through the REST API with the
 * files in connect-configs/, a traffic generator appending nginx lines, and a progress line every few seconds.
 * Ctrl-C stops everything it started; running it again resumes from the state directory.
 */
public final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "access-log-source";
    private static final String SINK = "aggregate-sink";

    private final Map<String, String> opts;
    private final Path repo;
    private final Path state;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> children = new ArrayList<>();
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
        } catch (DemoException e) {
            System.err.println("\ndemo: " + e.getMessage());
            demo.shutdown();
            System.exit(1);
        }
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

    private static final class DemoException extends RuntimeException {
        DemoException(String message) {
            super(message);
        }
    }

    private void run() throws Exception {
        int kafkaPort = intOpt("kafka-port", 19092);
        int controllerPort = kafkaPort + 1;
        int connectPort = intOpt("connect-port", 18083);
        for (int port : new int[] {kafkaPort, controllerPort, connectPort}) {
            requireFree(port);
        }
        Files.createDirectories(state.resolve("logs"));
        Path sourcePlugin = repo.resolve("source-connector/target/plugin");
        Path sinkPlugin = repo.resolve("sink-connector/target/plugin");
        for (Path p : List.of(sourcePlugin, sinkPlugin)) {
            if (!Files.isDirectory(p)) {
                throw new DemoException(p + " is missing: build the plugins first (bin/demo does: mvn -DskipTests install)");
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "demo-shutdown"));

        // 1. the broker
        Map<String, String> values = new HashMap<>();
        values.put("KAFKA_PORT", String.valueOf(kafkaPort));
        values.put("CONTROLLER_PORT", String.valueOf(controllerPort));
        values.put("DATA_DIR", state.resolve("kafka").toString());
        Path serverProps = state.resolve("kafka-server.properties");
        Files.writeString(serverProps, Placeholders.fill(read("connect-configs/kafka-server.properties"), values, "kafka-server.properties"));
        if (!Files.exists(state.resolve("kafka/meta.properties"))) {
            say("Formatting the KRaft log directory " + state.resolve("kafka"));
            Process format = start("kafka-storage", List.of("kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c",
                    serverProps.toString()), false);
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new DemoException("formatting Kafka storage failed; see " + state.resolve("logs/kafka-storage.log"));
            }
        }
        say("Starting Kafka (KRaft) on 127.0.0.1:" + kafkaPort + "  (log: " + state.resolve("logs/kafka.log") + ")");
        start("kafka", List.of("kafka.Kafka", serverProps.toString()), true);
        awaitPort(kafkaPort, "Kafka", state.resolve("logs/kafka.log"));

        // 2. the Connect worker, plugins from plugin.path only
        values.put("BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort);
        values.put("REST_HOST", "127.0.0.1");
        values.put("REST_PORT", String.valueOf(connectPort));
        values.put("PLUGIN_PATH", sourcePlugin + "," + sinkPlugin);
        values.put("REPLICATION_FACTOR", "1");
        Path workerProps = state.resolve("worker.properties");
        Files.writeString(workerProps, Placeholders.fill(read("connect-configs/worker.properties"), values, "worker.properties"));
        say("Starting a Connect worker (exactly-once source support) on http://127.0.0.1:" + connectPort + "  (log: "
                + state.resolve("logs/connect.log") + ")");
        start("connect", List.of("org.apache.kafka.connect.cli.ConnectDistributed", workerProps.toString()), true);
        connectUrl = "http://127.0.0.1:" + connectPort;
        awaitRest();

        // 3. traffic and connectors
        String logGlob = opts.get("log");
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
        values.put("LOG_FILES", logGlob);
        values.put("LOG_FORMAT", format.replace("\\", "\\\\").replace("\"", "\\\""));
        values.put("HOST_NAME", InetAddress.getLocalHost().getHostName());
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
        register("connect-configs/access-log-source.json", values);
        register(sinkFile, values);
        say("Query the table:  " + (jdbcUrl.startsWith("jdbc:sqlite:")
                ? "sqlite3 " + state.resolve("metrics.db") + " "
                : "psql ... -c ") + "'SELECT window_start, status, arg_ev, requests, bytes_sent FROM access_metrics ORDER BY window_start DESC LIMIT 20'");
        say("Status:           curl -s " + connectUrl + "/connectors/" + SOURCE + "/status");
        say("Ctrl-C stops everything; running bin/demo again resumes where it stopped.\n");

        // 4. progress
        long until = opts.containsKey("duration") ? System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(opts.get("duration")))
                : Long.MAX_VALUE;
        Path logDir = Paths.get(logGlob.substring(0, logGlob.lastIndexOf('/')));
        String jdbcUser = opts.get("jdbc-user");
        String jdbcPassword = opts.get("jdbc-password");
        while (System.nanoTime() < until) {
            Thread.sleep(3000);
            for (Process p : children) {
                if (!p.isAlive()) {
                    throw new DemoException("a child process exited (code " + p.exitValue() + "); see the logs in " + state.resolve("logs"));
                }
            }
            say(progress(logDir, jdbcUrl, jdbcUser, jdbcPassword));
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
        sb.append(String.format("bytes past the committed source offset %s | ", bytesBehind(logDir)));
        sb.append("source ").append(taskState(SOURCE)).append(" | sink ").append(taskState(SINK)).append(" | ");
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
            JsonNode offsets = JSON.readTree(get("/connectors/" + SOURCE + "/offsets")).path("offsets");
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

    private String taskState(String connector) {
        try {
            JsonNode s = JSON.readTree(get("/connectors/" + connector + "/status"));
            JsonNode tasks = s.path("tasks");
            if (tasks.isEmpty()) {
                return s.path("connector").path("state").asText("?") + "/no task";
            }
            String state = tasks.get(0).path("state").asText();
            if (state.equals("FAILED")) {
                String trace = tasks.get(0).path("trace").asText();
                return "FAILED: " + trace.lines().findFirst().orElse("");
            }
            return state;
        } catch (Exception e) {
            return "?";
        }
    }

    private void register(String file, Map<String, String> values) throws Exception {
        // the files are the connector's config map, name included: exactly what PUT /connectors/{name}/config takes
        JsonNode config = JSON.readTree(Placeholders.fill(read(file), values, file));
        String name = config.get("name").asText();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(connectUrl + "/connectors/" + name + "/config"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(config.toString()))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new DemoException("registering " + name + " failed (" + r.statusCode() + "): " + r.body());
        }
        say("Registered " + name + " from " + file + " through PUT /connectors/" + name + "/config");
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(connectUrl + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException(r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private void awaitRest() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                String plugins = get("/connector-plugins");
                if (plugins.contains("AccessLogSourceConnector") && plugins.contains("AggregateUpsertSinkConnector")) {
                    say("Connect is up with both plugins loaded from plugin.path");
                    return;
                }
                if (plugins.startsWith("[")) {
                    throw new DemoException("Connect is up but does not list both LogBunker plugins: " + plugins
                            + "; see " + state.resolve("logs/connect.log"));
                }
            } catch (IOException | InterruptedException e) {
                // not up yet
            }
            checkChildren();
            Thread.sleep(500);
        }
        throw new DemoException("Connect did not answer on " + connectUrl + " within 120 s; see " + state.resolve("logs/connect.log"));
    }

    private void awaitPort(int port, String what, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                checkChildren();
                Thread.sleep(300);
            }
        }
        throw new DemoException(what + " did not open 127.0.0.1:" + port + " within 90 s; see " + log);
    }

    private void checkChildren() {
        for (Process p : children) {
            if (!p.isAlive()) {
                throw new DemoException("a child process exited at start (code " + p.exitValue() + "); see the logs in "
                        + state.resolve("logs"));
            }
        }
    }

    private Process start(String name, List<String> mainAndArgs, boolean keep) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the children get Kafka and Connect only: no JDBC drivers, no plugin classes (those come from plugin.path)
        String cp = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> !e.contains("sqlite-jdbc") && !e.contains("postgresql") && !e.contains("logbunker-demo")
                        && !e.contains("demo/target/classes"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx1g", "-cp", cp,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS"));
        cmd.addAll(mainAndArgs);
        File log = state.resolve("logs/" + name + ".log").toFile();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        if (keep) {
            children.add(p);
        }
        return p;
    }

    private synchronized void shutdown() {
        if (generator != null) {
            generator.stop();
        }
        // the worker first, so tasks stop cleanly while the broker is still there
        for (int i = children.size() - 1; i >= 0; i--) {
            Process p = children.get(i);
            if (p.isAlive()) {
                p.destroy();
                try {
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
        if (!children.isEmpty()) {
            say("Stopped the Connect worker and Kafka. State is kept in " + state + "; run bin/demo again to resume.");
        }
        children.clear();
    }

    private void requireFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (BindException e) {
            throw new DemoException("port " + port + " on 127.0.0.1 is busy. Is an earlier demo still running? Otherwise choose "
                    + "other ports with --kafka-port N (uses N and N+1) and --connect-port N.");
        } catch (IOException e) {
            throw new DemoException("cannot check port " + port + ": " + e.getMessage());
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

    private String read(String relative) throws IOException {
        return Files.readString(repo.resolve(relative), StandardCharsets.UTF_8);
    }

    private static String randomClusterId() {
        UUID u = UUID.randomUUID();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    private static void say(String s) {
        System.out.println("[" + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + s);
    }
}
