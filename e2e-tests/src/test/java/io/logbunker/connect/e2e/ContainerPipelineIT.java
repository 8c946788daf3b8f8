package io.logbunker.connect.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.logbunker.connect.testkit.LogWriter;
import io.logbunker.demo.LocalKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.MountableFile;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a user with Docker does: a Kafka container, a Connect worker container (the official apache/kafka image running
 * Connect distributed) with the packaged plugin zips unpacked onto its plugin.path and the log directory allowed, a
 * PostgreSQL container; both connectors created through the worker's REST API from the files in connect-configs/; the
 * table then holds every line of the log. Reported as skipped, with the reason, where no Docker engine is reachable.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerPipelineIT {
    private static final String KAFKA_IMAGE = "apache/kafka:4.3.0";
    private static final Network NETWORK = Network.newNetwork();

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer(KAFKA_IMAGE).withNetwork(NETWORK).withListener("kafka:19092");

    @Container
    private static final PostgreSQLContainer POSTGRES = new PostgreSQLContainer("postgres:16.6").withNetwork(NETWORK)
            .withNetworkAliases("postgres").withDatabaseName("logbunker").withUsername("logbunker").withPassword("logbunker");

    @Test
    void theZipsInstalledAsTheReadmeSaysRunThePipelineIntoPostgres(@TempDir Path dir) throws Exception {
        Path repo = Paths.get("").toAbsolutePath().getParent();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        for (String zip : new String[] {"source-connector", "sink-connector"}) {
            try (Stream<Path> files = Files.list(repo.resolve(zip).resolve("target"))) {
                unzip(files.filter(f -> f.toString().endsWith(".zip")).findFirst()
                        .orElseThrow(() -> new AssertionError(zip + "/target has no zip: run mvn package first")), plugins);
            }
        }
        Path logs = Files.createDirectories(dir.resolve("logs"));
        LogWriter writer = new LogWriter(logs.resolve("access.log"), 20);
        writer.writeLines(5_000);
        writer.close();
        String worker = Files.readString(repo.resolve("connect-configs/worker.properties"))
                .replace("${BOOTSTRAP_SERVERS}", "kafka:19092").replace("${REST_HOST}", "0.0.0.0").replace("${REST_PORT}", "8083")
                .replace("${PLUGIN_PATH}", "/opt/logbunker/plugins").replace("${REPLICATION_FACTOR}", "1");
        Files.writeString(dir.resolve("worker.properties"), worker);

        try (GenericContainer<?> connect = new GenericContainer<>(KAFKA_IMAGE).withNetwork(NETWORK).dependsOn(KAFKA, POSTGRES)
                .withCopyFileToContainer(MountableFile.forHostPath(plugins), "/opt/logbunker/plugins")
                .withCopyFileToContainer(MountableFile.forHostPath(logs), "/var/log/nginx")
                .withCopyFileToContainer(MountableFile.forHostPath(dir.resolve("worker.properties")), "/tmp/worker.properties")
                .withEnv("LOGBUNKER_ALLOWED_PATHS", "/var/log/nginx")
                .withCommand("/opt/kafka/bin/connect-distributed.sh", "/tmp/worker.properties")
                .withExposedPorts(8083)
                .waitingFor(Wait.forHttp("/connector-plugins").forPort(8083).forResponsePredicate(b -> b.contains("AggregateUpsertSinkConnector"))
                        .withStartupTimeout(Duration.ofMinutes(3)))) {
            connect.start();
            String url = "http://" + connect.getHost() + ":" + connect.getMappedPort(8083);
            LocalKafka rest = new LocalKafka(repo, dir.resolve("state")); // its REST and placeholder helpers only; it starts nothing
            Map<String, String> values = Map.of("LOG_FILES", "/var/log/nginx/access.log*", "LOG_FORMAT", "combined", "HOST_NAME", "web-1",
                    "JDBC_URL", "jdbc:postgresql://postgres:5432/logbunker", "JDBC_USER", "logbunker", "JDBC_PASSWORD", "logbunker",
                    "REPLICATION_FACTOR", "1");
            ObjectNode source = (ObjectNode) rest.connectorConfig("connect-configs/access-log-source.json", values);
            source.put("flush.idle.ms", "500");
            rest.putConnector(url, source);
            rest.putConnector(url, rest.connectorConfig("connect-configs/aggregate-sink-postgres.json", values));

            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            long requests = -1;
            while (System.nanoTime() < deadline && requests != writer.goodLines()) {
                requests = requests();
                Thread.sleep(1_000);
            }
            assertEquals(writer.goodLines(), requests, "every good line of the log is counted in access_metrics");
        }
    }

    private static long requests() throws Exception {
        try (Connection c = DriverManager.getConnection(POSTGRES.getJdbcUrl(), "logbunker", "logbunker"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(requests), 0) FROM access_metrics")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1; // the sink has not created the table yet
        }
    }

    private static void unzip(Path zip, Path into) throws Exception {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new AssertionError("zip entry outside the target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(z, target);
                }
            }
        }
    }
}
