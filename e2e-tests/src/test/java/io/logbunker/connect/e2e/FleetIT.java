package io.logbunker.connect.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.logbunker.connect.testkit.ClusterChecks;
import io.logbunker.connect.testkit.RawLogCount;
import io.logbunker.connect.testkit.TestDatabase;
import io.logbunker.demo.LocalKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A fleet of three log hosts on one machine, each a mount and UTS namespace (its own /var/log/nginx and host name) with
 * real nginx under load, the real logrotate, and its own Connect worker (the per-host topology: its own group.id and
 * internal topics; one connector name and one connector offsets topic for the fleet; host.name=${env:HOSTNAME}; the
 * directory fence). One broker; the sinks into PostgreSQL run on a second topology over the same files: one Connect
 * cluster of three workers that all see every host's volume (host from the path, tasks.max=3).
 *
 * <p>During the run: web-1's worker is killed with SIGKILL and started again; web-2's volume is attached to web-3
 * while web-2 still runs (the fence keeps web-3 off it); then web-2 is lost (worker killed, nginx stopped) and web-3
 * takes its volume over; one worker of the shared cluster is killed. Both tables then hold, per (10 s window, host,
 * status), exactly the requests counted from every host's raw files.
 */
class FleetIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "fleet-source";
    private static final Pattern LINE = Pattern.compile("^\\S+ - \\S+ \\[([^\\]]+)\\] \"[^\"]*\" (\\d{3}) .*$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
    private static final long WINDOW_MS = 10_000;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aFleetOfHostsCountsEveryLineOnceThroughKillsAFencedMistakeAndADeadHostsVolumeResumedElsewhere(@TempDir Path dir)
            throws Exception {
        Optional<String> unavailable = SimulatedHost.unavailable();
        if (unavailable.isPresent() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must run the fleet test, but " + unavailable.get());
        }
        assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.orElse(""));
        assumeTrue(java.nio.file.Files.isExecutable(Paths.get("/usr/sbin/nginx")), "nginx is not installed (bin/test installs it)");
        Path repo = Paths.get("").toAbsolutePath().getParent();
        String pluginPath = System.getProperty("logbunker.pluginPath");
        String run = Long.toString(System.currentTimeMillis(), 36);
        String hostTable = "fleet_hosts_" + run;
        String sharedTable = "fleet_shared_" + run;
        TestDatabase pg = TestDatabase.postgres();
        int kafkaPort = 29_592;
        List<SimulatedHost> hosts = new ArrayList<>();
        List<Load> loads = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                hosts.add(new SimulatedHost("web-" + i, dir.resolve("hosts/web-" + i), 28_540 + i));
            }
            try (LocalKafka kafka = new LocalKafka(repo, dir.resolve("state"))) {
                // the shared-volume cluster sees every host's volume; the per-host workers see /var/log/nginx, their own
                kafka.allowLogDirectories(List.of(dir.resolve("hosts")));
                kafka.startBroker(kafkaPort);
                List<String> shared = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    shared.add(kafka.startWorker("shared-" + i, kafkaPort, 28_530 + i, pluginPath, sharedCluster(),
                            List.of("AccessLogSourceConnector", "AggregateUpsertSinkConnector")));
                }
                kafka.allowLogDirectories(List.of(SimulatedHost.LOG_DIR));
                List<String> perHost = new ArrayList<>();
                for (SimulatedHost h : hosts) {
                    h.startNginx();
                    perHost.add(startHostWorker(kafka, h, pluginPath, kafkaPort));
                }
                for (int i = 0; i < 3; i++) {
                    kafka.putConnector(perHost.get(i), perHostSource());
                }
                kafka.putConnector(shared.get(0), sharedSource(dir.resolve("hosts")));
                kafka.putConnector(shared.get(0), sink(pg, "fleet-hosts-sink-" + run, "fleet-metrics", hostTable));
                kafka.putConnector(shared.get(0), sink(pg, "fleet-shared-sink-" + run, "fleet-shared-metrics", sharedTable));
                for (String url : perHost) {
                    awaitTasksRunning(kafka, url, SOURCE, 1);
                }
                awaitTasksRunning(kafka, shared.get(0), "fleet-shared-source", 3);

                for (SimulatedHost h : hosts) {
                    loads.add(Load.start(h));
                }
                TimeUnit.SECONDS.sleep(3); // these waits pace the scenario; nothing is asserted on them
                hosts.get(0).rotate();
                TimeUnit.SECONDS.sleep(2);

                // web-1's worker dies and comes back on the same host
                kafka.kill("web-1");
                perHost.set(0, startHostWorker(kafka, hosts.get(0), pluginPath, kafkaPort));
                awaitTasksRunning(kafka, perHost.get(0), SOURCE, 1);

                // the worker of the shared cluster that runs the source's task 0 dies; its tasks move to the other two
                String victim = workerOfTask(kafka, shared.get(0), "fleet-shared-source", 0);
                kafka.kill("shared-" + (victim.charAt(victim.length() - 1) - '0'));

                // web-2's volume is attached to web-3 by mistake while web-2 still reads it: the fence keeps web-3 off
                hosts.get(2).attach(hosts.get(1));
                awaitMetric("web-3 fenced off web-2's volume", 28_553, 1);

                // web-2 is lost: its worker killed, its nginx stopped; web-3 takes its volume over
                loads.get(1).stop();
                kafka.kill("web-2");
                hosts.get(1).stopNginx();
                awaitMetric("web-3 took web-2's volume over", 28_553, 0);
                TimeUnit.SECONDS.sleep(2);
                hosts.get(2).rotate();
                TimeUnit.SECONDS.sleep(3);
                for (Load l : loads) {
                    l.stop();
                }

                Map<String, long[]> truth = new TreeMap<>();
                for (SimulatedHost h : hosts) {
                    count(h, truth);
                }
                for (SimulatedHost h : hosts) {
                    long lines = truth.entrySet().stream().filter(e -> e.getKey().contains("|" + h.name + "|"))
                            .mapToLong(e -> e.getValue()[0]).sum();
                    assertTrue(lines >= 500, h.name + " served " + lines + " requests: too few to test anything");
                }
                assertEquals(ClusterChecks.render(truth), ClusterChecks.render(awaitTotals(pg, hostTable, truth)),
                        "per-host topology: requests per (window, host, status)");
                assertEquals(ClusterChecks.render(truth), ClusterChecks.render(awaitTotals(pg, sharedTable, truth)),
                        "shared-volume topology: requests per (window, host, status)");
            }
        } finally {
            for (Load l : loads) {
                l.stop();
            }
            for (SimulatedHost h : hosts) {
                h.close();
            }
            pg.dropTable(hostTable);
            pg.dropTable(sharedTable);
        }
    }

    /** A per-host worker: its own cluster, in the host's namespaces, HOSTNAME in its environment, JMX on 28_550 + n. */
    private static String startHostWorker(LocalKafka kafka, SimulatedHost h, String pluginPath, int kafkaPort) throws Exception {
        int n = Integer.parseInt(h.name.substring("web-".length()));
        kafka.workerLaunch(h.enter(), Map.of("HOSTNAME", h.name));
        try {
            Map<String, String> worker = new TreeMap<>();
            worker.put("group.id", "logbunker-" + h.name);
            worker.put("config.storage.topic", "logbunker-" + h.name + "-configs");
            worker.put("offset.storage.topic", "logbunker-" + h.name + "-offsets");
            worker.put("status.storage.topic", "logbunker-" + h.name + "-status");
            worker.put("config.providers", "env");
            worker.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
            return kafka.startWorker(h.name, kafkaPort, 28_510 + n, 28_550 + n, pluginPath, worker, List.of("AccessLogSourceConnector"));
        } finally {
            kafka.workerLaunch(List.of(), Map.of());
        }
    }

    private static Map<String, String> sharedCluster() {
        return Map.of("group.id", "logbunker-shared", "config.storage.topic", "logbunker-shared-configs",
                "offset.storage.topic", "logbunker-shared-offsets", "status.storage.topic", "logbunker-shared-status");
    }

    /** connect-configs/fleet/access-log-source-per-host.json, as an operator fills it in. */
    private static JsonNode perHostSource() throws Exception {
        return shipped("access-log-source-per-host.json", SOURCE, "fleet-metrics");
    }

    private static JsonNode sharedSource(Path volumes) throws Exception {
        ObjectNode c = shipped("access-log-source-shared-volume.json", "fleet-shared-source", "fleet-shared-metrics");
        c.put("files", volumes + "/*/volume/access.log*");
        c.put("path.dimensions", "/(?<host>web-[0-9]+)/volume/");
        return c;
    }

    /** A source config of connect-configs/fleet with this test's name, topic, windows and pace. */
    private static ObjectNode shipped(String file, String name, String topic) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree(Paths.get("").toAbsolutePath().getParent().resolve("connect-configs/fleet")
                .resolve(file).toFile());
        c.put("name", name);
        c.put("topic", topic);
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "2");
        c.put("window.size.ms", Long.toString(WINDOW_MS));
        c.put("flush.idle.ms", "300");
        c.put("files.scan.interval.ms", "200");
        return c;
    }

    private static JsonNode sink(TestDatabase pg, String name, String topic, String table) {
        ObjectNode c = JSON.createObjectNode();
        pg.sinkConfig(name).forEach(c::put);
        c.put("connector.class", PipelineCluster.SINK_CLASS);
        c.put("topics", topic);
        c.put("table.name.format", table);
        c.put("tasks.max", "2");
        c.put("consumer.override.isolation.level", "read_committed");
        c.put("key.converter", PipelineCluster.COMPACT);
        c.put("value.converter", PipelineCluster.COMPACT);
        return c;
    }

    /** Requests per "window start ms|host|status", counted from the host's raw files (.gz decompressed) with a regex of its own. */
    private static void count(SimulatedHost h, Map<String, long[]> truth) throws Exception {
        RawLogCount.forEachLine(h.logs, "access.log", line -> {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("nginx wrote a line this test does not understand: " + line);
            }
            long t = ZonedDateTime.parse(m.group(1), TIME).toInstant().toEpochMilli();
            truth.computeIfAbsent(Math.floorDiv(t, WINDOW_MS) * WINDOW_MS + "|" + h.name + "|" + m.group(2), x -> new long[2])[0]++;
        });
    }

    private static Map<String, long[]> totals(TestDatabase pg, String table) throws Exception {
        Map<String, long[]> m = new TreeMap<>();
        if (!pg.tableExists(table)) {
            return m;
        }
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT window_start, host, status, requests FROM " + pg.q(table))) {
            while (rs.next()) {
                long window = rs.getObject(1, java.time.OffsetDateTime.class).toInstant().toEpochMilli();
                m.computeIfAbsent(window + "|" + rs.getString(2) + "|" + rs.getString(3), x -> new long[2])[0] += rs.getLong(4);
            }
        }
        return m;
    }

    /** The table's totals once they equal the truth (or at the timeout), and again a few seconds later: a late duplicate shows. */
    private static Map<String, long[]> awaitTotals(TestDatabase pg, String table, Map<String, long[]> truth) throws Exception {
        String expected = ClusterChecks.render(truth);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline && !ClusterChecks.render(totals(pg, table)).equals(expected)) {
            Thread.sleep(500);
        }
        Thread.sleep(3_000);
        return totals(pg, table);
    }

    private void awaitMetric(String what, int jmxPort, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Double seen = null;
        while (System.nanoTime() < deadline) {
            seen = LocalKafka.pluginMetric(jmxPort, SOURCE, "directories-fenced");
            if (seen != null && seen == expected) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(what + ": directories-fenced is " + seen + ", not " + expected);
    }

    /** The worker (host:port) that runs a task, e.g. 127.0.0.1:28532. */
    private static String workerOfTask(LocalKafka kafka, String url, String connector, int task) throws Exception {
        for (JsonNode t : kafka.getJson(url, "/connectors/" + connector + "/status").path("tasks")) {
            if (t.path("id").asInt() == task) {
                return t.path("worker_id").asText();
            }
        }
        throw new AssertionError(connector + " has no task " + task);
    }

    private static void awaitTasksRunning(LocalKafka kafka, String url, String connector, int tasks) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            try {
                status = kafka.getJson(url, "/connectors/" + connector + "/status");
                int running = 0;
                for (JsonNode t : status.path("tasks")) {
                    if (t.path("state").asText().equals("FAILED")) {
                        throw new AssertionError(connector + " failed: " + t.path("trace").asText());
                    }
                    running += t.path("state").asText().equals("RUNNING") ? 1 : 0;
                }
                if (running == tasks) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // the connector is being created
            }
            Thread.sleep(300);
        }
        throw new AssertionError(connector + " at " + url + " did not run " + tasks + " tasks: " + status);
    }

    /** Requests to one host's nginx, a few hundred a second, a mix of statuses, until stopped. */
    private static final class Load implements Runnable {
        private static final String[] PATHS = {"/", "/", "/", "/index", "/missing", "/moved", "/broken"};
        private final SimulatedHost host;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        private Load(SimulatedHost host) {
            this.host = host;
            this.thread = new Thread(this, "load-" + host.name);
        }

        static Load start(SimulatedHost host) {
            Load l = new Load(host);
            l.thread.start();
            return l;
        }

        @Override
        public void run() {
            long i = 0;
            while (running.get()) {
                try {
                    client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.httpPort + PATHS[(int) (i++ % PATHS.length)]))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                    if (i % 4 == 0) {
                        Thread.sleep(1);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // nginx stopped with its host: the log has what it answered
                }
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
