package io.logbunker.connect.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The real access logs in {@code ../shared/data/real-logs/} (beside the checkout) with their independently
 * computed ground truth. Override the location with {@code -Dlogbunker.realLogs=/path}. Missing files fail
 * the test: they are part of the acceptance criteria.
 */
public final class RealLogs {

    public record Log(String name, Path file, long lines, Map<String, Long> statusCounts, long bytesSum, JsonNode truth) {
    }

    private RealLogs() {
    }

    public static Path directory() {
        String prop = System.getProperty("logbunker.realLogs");
        Path dir = prop != null ? Paths.get(prop) : Paths.get("..", "..", "shared", "data", "real-logs");
        if (!Files.isDirectory(dir.resolve("ground-truth"))) {
            throw new IllegalStateException("The real-log fixtures are not at " + dir.toAbsolutePath()
                    + "; they live in ../shared/data/real-logs beside the checkout. Point -Dlogbunker.realLogs at them.");
        }
        return dir;
    }

    public static List<String> names() {
        return List.of("elastic_examples_apache_logs", "nielsbasjes_logparser_hackers-access.log", "grafana_alloy_long-access.log");
    }

    /** Loads one log; a gzipped fixture is unpacked into {@code workDir}. */
    public static Log load(String name, Path workDir) {
        try {
            Path dir = directory();
            JsonNode truth = new ObjectMapper().readTree(dir.resolve("ground-truth").resolve(name + ".json").toFile());
            Path file = dir.resolve(name);
            if (!Files.exists(file)) {
                Path gz = dir.resolve(name.replaceFirst("\\.log$", "") + ".gz");
                file = workDir.resolve(name);
                try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Map<String, Long> counts = new LinkedHashMap<>();
            truth.get("status_counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
            return new Log(name, file, truth.get("total_lines").asLong(), counts, truth.get("bytes_sum").asLong(), truth);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The preset each fixture is written in. */
    public static String formatOf(String name) {
        return name.startsWith("grafana") ? "main" : "combined";
    }
}
