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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real KRaft broker and Connect distributed workers as child JVMs started from the Maven-resolved Kafka jars,
 * configured from the files in connect-configs/, plus the REST calls the demo and the benchmarks make.
 */
public final class LocalKafka implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Something the user must fix, said plainly. */
    public static final class LocalKafkaException extends RuntimeException {
        public LocalKafkaException(String message) {
            super(message);
        }
    }

    private String allowedLogDirectories = "";
    private final Path repo;
    private final Path state;
    private final List<Process> children = new ArrayList<>();
    private final java.util.Map<String, Process> byName = new java.util.HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public LocalKafka(Path repo, Path state) throws IOException {
        this.repo = repo;
        this.state = state;
        Files.createDirectories(state.resolve("logs"));
    }

    public Path state() {
        return state;
    }

    /** Formats the log directory on first use and starts the broker; returns once it accepts connections. */
    public void startBroker(int kafkaPort) throws Exception {
        requireFree(kafkaPort);
        requireFree(kafkaPort + 1);
        Map<String, String> values = Map.of("KAFKA_PORT", String.valueOf(kafkaPort), "CONTROLLER_PORT", String.valueOf(kafkaPort + 1),
                "DATA_DIR", state.resolve("kafka").toString());
        Path props = state.resolve("kafka-server.properties");
        Files.writeString(props, Placeholders.fill(read("connect-configs/kafka-server.properties"), values, "kafka-server.properties"));
        if (!Files.exists(state.resolve("kafka/meta.properties"))) {
            Process format = startJava("kafka-storage", List.of("kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c",
                    props.toString()), false);
            if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new LocalKafkaException("formatting Kafka storage failed; see " + state.resolve("logs/kafka-storage.log"));
            }
        }
        startJava("kafka", List.of("kafka.Kafka", props.toString()), true);
        awaitPort(kafkaPort, "Kafka", state.resolve("logs/kafka.log"));
    }

    /**
     * The directories the workers started after this call let source connectors read: the operator's allow-list,
     * given to them as LOGBUNKER_ALLOWED_PATHS (comma-separated absolute directories).
     */
    public void allowLogDirectories(List<Path> dirs) {
        allowedLogDirectories = dirs.stream().map(d -> d.toAbsolutePath().normalize().toString()).collect(Collectors.joining(","));
    }

    /**
     * Starts a Connect worker from connect-configs/worker.properties with {@code overrides} appended (later keys win);
     * returns its REST base URL once it lists {@code expectPlugins}.
     */
    public String startWorker(String name, int kafkaPort, int restPort, String pluginPath, Map<String, String> overrides,
                              List<String> expectPlugins) throws Exception {
        return startWorker(name, kafkaPort, restPort, 0, pluginPath, overrides, expectPlugins);
    }

    /** The same, with the worker's JMX (and so the tasks' plugin metrics) on 127.0.0.1:{@code jmxPort} when not 0. */
    public String startWorker(String name, int kafkaPort, int restPort, int jmxPort, String pluginPath, Map<String, String> overrides,
                              List<String> expectPlugins) throws Exception {
        requireFree(restPort);
        if (jmxPort != 0) {
            requireFree(jmxPort);
        }
        Map<String, String> values = Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort, "REST_HOST", "127.0.0.1",
                "REST_PORT", String.valueOf(restPort), "PLUGIN_PATH", pluginPath, "REPLICATION_FACTOR", "1");
        StringBuilder props = new StringBuilder(Placeholders.fill(read("connect-configs/worker.properties"), values, "worker.properties"));
        overrides.forEach((k, v) -> props.append('\n').append(k).append('=').append(v));
        Path file = state.resolve(name + ".properties");
        Files.writeString(file, props.append('\n').toString());
        List<String> main = new ArrayList<>();
        if (jmxPort != 0) {
            main.addAll(List.of("-Dcom.sun.management.jmxremote.port=" + jmxPort, "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                    "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                    "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false"));
        }
        main.addAll(workerJvmOptions);
        main.addAll(List.of("org.apache.kafka.connect.cli.ConnectDistributed", file.toString()));
        startJava(name, main, true, workerCommandPrefix, workerEnvironment);
        String url = "http://127.0.0.1:" + restPort;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                String plugins = get(url, "/connector-plugins");
                if (expectPlugins.stream().allMatch(plugins::contains)) {
                    return url;
                }
                if (plugins.startsWith("[")) {
                    throw new LocalKafkaException("the Connect worker does not list " + expectPlugins + ": " + plugins + "; see "
                            + state.resolve("logs/" + name + ".log"));
                }
            } catch (IOException e) {
                // not up yet
            }
            checkChildren();
            Thread.sleep(500);
        }
        throw new LocalKafkaException("Connect did not answer on " + url + " within 120 s; see " + state.resolve("logs/" + name + ".log"));
    }

    private List<String> workerJvmOptions = List.of();

    /** JVM options of the workers started from now on, e.g. the Prometheus JMX exporter's -javaagent. */
    public void workerJvmOptions(List<String> options) {
        workerJvmOptions = List.copyOf(options);
    }

    private List<String> workerCommandPrefix = List.of();
    private Map<String, String> workerEnvironment = Map.of();

    /**
     * How the workers started from now on are launched: a command that runs the java command line it is given, e.g.
     * {@code nsenter -t <pid> -m -u --} to start it in another process's mount and UTS namespaces (a simulated host),
     * and environment variables added to theirs (e.g. HOSTNAME for the EnvVarConfigProvider).
     */
    public void workerLaunch(List<String> commandPrefix, Map<String, String> environment) {
        workerCommandPrefix = List.copyOf(commandPrefix);
        workerEnvironment = Map.copyOf(environment);
    }

    /** PUT /connectors/{name}/config with a config map that includes "name". */
    public void putConnector(String url, JsonNode config) throws Exception {
        String name = config.get("name").asText();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/connectors/" + name + "/config"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(config.toString()))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new LocalKafkaException("registering " + name + " failed (" + r.statusCode() + "): " + r.body());
        }
    }

    /** The config map in a connect-configs/ file, placeholders filled. */
    public JsonNode connectorConfig(String file, Map<String, String> values) throws IOException {
        return JSON.readTree(Placeholders.fill(read(file), values, file));
    }

    public String get(String url, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException(r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    public JsonNode getJson(String url, String path) throws IOException, InterruptedException {
        return JSON.readTree(get(url, path));
    }

    /** First task's state, with the first line of its trace when FAILED; "?" when unknown. */
    public String taskState(String url, String connector) {
        try {
            JsonNode s = getJson(url, "/connectors/" + connector + "/status");
            JsonNode tasks = s.path("tasks");
            if (tasks.isEmpty()) {
                return s.path("connector").path("state").asText("?") + "/no task";
            }
            String st = tasks.get(0).path("state").asText();
            return st.equals("FAILED") ? "FAILED: " + tasks.get(0).path("trace").asText().lines().findFirst().orElse("") : st;
        } catch (Exception e) {
            return "?";
        }
    }

    /**
     * Sums a metric over the plugin metrics of all tasks (JMX {@code kafka.connect:type=plugins,connector=...,task=...})
     * of a worker started with a JMX port; null when it cannot be read (yet).
     */
    public static Double pluginMetric(int jmxPort, String connector, String attribute) {
        try (javax.management.remote.JMXConnector jmx = javax.management.remote.JMXConnectorFactory.connect(
                new javax.management.remote.JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"))) {
            javax.management.MBeanServerConnection server = jmx.getMBeanServerConnection();
            double sum = 0;
            boolean found = false;
            for (javax.management.ObjectName n : server.queryNames(new javax.management.ObjectName("kafka.connect:type=plugins,*"), null)) {
                String c = n.getKeyProperty("connector");
                if (c != null && c.replace("\"", "").equals(connector)) {
                    try {
                        sum += ((Number) server.getAttribute(n, attribute)).doubleValue();
                        found = true;
                    } catch (javax.management.AttributeNotFoundException e) {
                        // another metric group of this plugin
                    }
                }
            }
            return found ? sum : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Kills a child with SIGKILL, as a crash or the OOM killer would, waits for it to be gone and forgets it. */
    public synchronized void kill(String name) throws InterruptedException {
        Process p = byName.remove(name);
        if (p == null) {
            throw new LocalKafkaException("no child process named " + name);
        }
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new LocalKafkaException(name + " did not die within 30 s of SIGKILL");
        }
        children.remove(p);
    }

    public List<Process> processes() {
        return List.copyOf(children);
    }

    public void checkChildren() {
        for (Process p : children) {
            if (!p.isAlive()) {
                throw new LocalKafkaException("a child process exited (code " + p.exitValue() + "); see the logs in " + state.resolve("logs"));
            }
        }
    }

    private Process startJava(String name, List<String> mainAndArgs, boolean keep) throws IOException {
        return startJava(name, mainAndArgs, keep, List.of(), Map.of());
    }

    private Process startJava(String name, List<String> mainAndArgs, boolean keep, List<String> prefix, Map<String, String> env)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the children get Kafka and Connect only: no JDBC drivers, no plugin classes (those come from plugin.path)
        String cp = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> !e.contains("sqlite-jdbc") && !e.contains("postgresql") && !e.contains("mariadb")
                        && !e.contains("logbunker-") && !e.contains("/target/classes") && !e.contains("jmh")
                        && !e.contains("jmx_prometheus"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "-Xms512m", "-Xmx2g", "-cp", cp,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS"));
        // extra JVM options for the children, e.g. a JFR recording while benchmarking
        String extra = System.getenv("LOGBUNKER_CHILD_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().replace("{name}", name).split("\\s+")));
        }
        cmd.addAll(mainAndArgs);
        File log = state.resolve("logs/" + name + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        pb.environment().put("LOGBUNKER_ALLOWED_PATHS", allowedLogDirectories);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (keep) {
            children.add(p);
            byName.put(name, p);
        }
        return p;
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
        throw new LocalKafkaException(what + " did not open 127.0.0.1:" + port + " within 90 s; see " + log);
    }

    /** Stops the children, newest first (workers before the broker), gracefully then forcibly. */
    @Override
    public synchronized void close() {
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
        children.clear();
    }

    public static void requireFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (BindException e) {
            throw new LocalKafkaException("port " + port + " on 127.0.0.1 is busy. Is an earlier run still going? Otherwise choose "
                    + "other ports (--kafka-port N uses N and N+1, --connect-port N).");
        } catch (IOException e) {
            throw new LocalKafkaException("cannot check port " + port + ": " + e.getMessage());
        }
    }

    private String read(String relative) throws IOException {
        return Files.readString(repo.resolve(relative), StandardCharsets.UTF_8);
    }

    /**
     * Kafka's own random id: its base64 form never starts with '-' (one in 64 of a plain UUID's does, and the storage
     * tool then reads it as an option: "argument --cluster-id/-t: expected one argument").
     */
    private static String randomClusterId() {
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }
}
