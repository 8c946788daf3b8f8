package io.logbunker.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What to recount and where to compare: the source's parsing and window settings (given, or read from a connector's
 * config over the Connect REST API) and the table's JDBC coordinates. The password comes from an environment variable
 * or a file and is never printed.
 */
record VerifySettings(List<String> files, List<String> excludes, String logFormat, String metrics, List<String> groupBy, long windowMs, String host,
                      String pathDimensions, String jdbcUrl, String user, String password, String table, Instant from, Instant to, boolean complete,
                      boolean json) {

    static final String USAGE = String.join("\n",
            "Usage: bin/logbunker-verify [source settings] --jdbc-url URL --table TABLE [options]",
            "Recounts the closed windows of access logs and compares them with the table the pipeline wrote.",
            "Source settings, either from a connector:",
            "  --connect-url URL --connector NAME   files, log.format, group.by, window.size.ms, host.name, metrics, path.dimensions",
            "or given (these also override the connector's):",
            "  --files GLOB[,GLOB]   the log files; plain or gzip (.gz by content)",
            "  --exclude GLOB[,...]  files to leave out",
            "  --log-format F        preset (combined, common, main) or nginx log_format (default combined)",
            "  --group-by A[,B]      default status",
            "  --metrics SPEC        the source's metrics setting: a line whose metric value is not a number is rejected",
            "  --window-ms N         default 60000",
            "  --host NAME           the source's host.name, when it had one",
            "  --path-dimensions RE  the source's path.dimensions (key fields from each file's current path)",
            "Database:",
            "  --jdbc-url URL  --table NAME  [--user USER]  [--password-env VAR | --password-file FILE]",
            "Options:",
            "  --from ISO-INSTANT --to ISO-INSTANT   only windows starting in [from, to)",
            "  --complete    the files hold every line of their time span (archives): the first and last windows count too",
            "  --json        machine-readable output",
            "Exit: 0 every comparable window matches, 1 a mismatch, 2 could not run.");

    /** Thrown for bad arguments and unusable inputs: exit code 2 with this message. */
    static final class Unusable extends RuntimeException {
        Unusable(String message) {
            super(message);
        }
    }

    static VerifySettings parse(String[] args, Map<String, String> env) throws IOException, InterruptedException {
        java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json") || a.equals("--complete")) {
                o.put(a.substring(2), "true");
            } else if (a.startsWith("--") && i + 1 < args.length) {
                o.merge(a.substring(2), args[++i], (x, y) -> x + "," + y);
            } else {
                throw new Unusable("unexpected argument '" + a + "'\n" + USAGE);
            }
        }
        Map<String, String> source = new java.util.HashMap<>();
        if (o.containsKey("connect-url") || o.containsKey("connector")) {
            if (!o.containsKey("connect-url") || !o.containsKey("connector")) {
                throw new Unusable("--connect-url and --connector go together");
            }
            source.putAll(connectorConfig(o.get("connect-url"), o.get("connector")));
        }
        List<String> files = list(o.getOrDefault("files", source.getOrDefault("files", "")));
        if (files.isEmpty()) {
            throw new Unusable("no files: give --files GLOB or --connect-url and --connector\n" + USAGE);
        }
        String jdbcUrl = required(o, "jdbc-url");
        String table = required(o, "table");
        String password = null;
        if (o.containsKey("password-env")) {
            password = env.get(o.get("password-env"));
            if (password == null) {
                throw new Unusable("the environment variable " + o.get("password-env") + " (--password-env) is not set");
            }
        } else if (o.containsKey("password-file")) {
            try {
                password = Files.readString(Path.of(o.get("password-file"))).strip();
            } catch (IOException e) {
                throw new Unusable("cannot read --password-file: " + e.getMessage());
            }
        }
        long windowMs;
        try {
            windowMs = Long.parseLong(o.getOrDefault("window-ms", source.getOrDefault("window.size.ms", "60000")));
        } catch (NumberFormatException e) {
            throw new Unusable("--window-ms must be a number of milliseconds");
        }
        String host = o.getOrDefault("host", source.getOrDefault("host.name", ""));
        try {
            io.logbunker.connect.source.tail.PathDimensions.parse(o.getOrDefault("path-dimensions", source.getOrDefault("path.dimensions", "")));
        } catch (IllegalArgumentException e) {
            throw new Unusable("--path-dimensions: " + e.getMessage());
        }
        return new VerifySettings(files, list(o.getOrDefault("exclude", source.getOrDefault("files.exclude", "*.zip,*.bz2,*.xz,*.zst"))),
                o.getOrDefault("log-format", source.getOrDefault("log.format", "combined")),
                o.getOrDefault("metrics", source.getOrDefault("metrics", "")),
                list(o.getOrDefault("group-by", source.getOrDefault("group.by", "status"))), windowMs, host.isEmpty() ? null : host,
                o.getOrDefault("path-dimensions", source.getOrDefault("path.dimensions", "")), jdbcUrl, o.get("user"), password, table, instant(o, "from"), instant(o, "to"), o.containsKey("complete"),
                o.containsKey("json"));
    }

    private static Map<String, String> connectorConfig(String url, String name) throws IOException, InterruptedException {
        HttpResponse<String> r;
        try {
            r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/connectors/" + name + "/config"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Unusable("cannot reach the Connect REST API at " + url + ": " + e.getMessage());
        }
        if (r.statusCode() != 200) {
            throw new Unusable("GET " + url + "/connectors/" + name + "/config answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode config = new ObjectMapper().readTree(r.body());
        if (!config.path("connector.class").asText().endsWith("AccessLogSourceConnector")) {
            throw new Unusable("connector " + name + " is a " + config.path("connector.class").asText() + ", not the access-log source");
        }
        Map<String, String> out = new java.util.HashMap<>();
        config.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null || v.isBlank()) {
            throw new Unusable("--" + name + " is required\n" + USAGE);
        }
        return v;
    }

    private static Instant instant(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (RuntimeException e) {
            throw new Unusable("--" + name + " '" + v + "' is not an ISO-8601 instant such as 2026-12-01T00:00:00Z");
        }
    }

    private static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    @Override
    public String toString() { // never the password
        return "VerifySettings" + Arrays.asList(files, logFormat, metrics, groupBy, windowMs, host, pathDimensions, jdbcUrl, user, table, from, to, complete);
    }
}
