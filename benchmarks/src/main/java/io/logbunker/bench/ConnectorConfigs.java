package io.logbunker.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connectors' settings of the pipeline benchmarks: LogBunker's pair as the benchmark's defaults, the command
 * line's {@code --sink}, {@code --producer} and {@code --source}, and a variant's settings make them; FileStreamSource
 * as its users run it.
 */
final class ConnectorConfigs {
    private final Map<String, String> opts;
    private final String pgUrl;
    private final String pgUser;
    private final String format;

    ConnectorConfigs(Map<String, String> opts, String pgUrl, String pgUser, String format) {
        this.opts = opts;
        this.pgUrl = pgUrl;
        this.pgUser = pgUser;
        this.format = format;
    }

    /** "k=v,k2=v2"; a piece without '=' continues the value before it ("metrics=request_time:sum,histogram"). */
    static Map<String, String> keyValues(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        String last = null;
        for (String kv : spec.split(",")) {
            if (kv.contains("=")) {
                last = kv.substring(0, kv.indexOf('=')).trim();
                m.put(last, kv.substring(kv.indexOf('=') + 1).trim());
            } else if (last != null) {
                m.put(last, m.get(last) + "," + kv.trim());
            }
        }
        return m;
    }

    /** Kafka's FileStreamSourceConnector on {@code file} into {@code topic}, named after it, as its users run it. */
    static ObjectNode fileStream(String topic, Path file) {
        ObjectNode c = PipelineBenchmark.JSON.createObjectNode();
        c.put("name", topic);
        c.put("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector");
        c.put("tasks.max", "1");
        c.put("file", file.toString());
        c.put("topic", topic);
        c.put("batch.size", "2000");
        c.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        return c;
    }

    /** A LogBunker run's two connectors: the sink's settings and the source's, as the options and a variant set them. */
    record Connectors(ObjectNode source, ObjectNode sink) {
    }

    /**
     * The connectors of a LogBunker run on {@code files}: the benchmark's defaults, then --sink, --producer and
     * --source, then the variant's {@code overrides} ("sink.k=v" for the sink's k); {@code smallWindows}: 1 s
     * windows without grace, many small aggregates.
     */
    Connectors logBunker(String sourceName, String sinkName, String topic, String table, String files, int tasks, int parseThreads,
                         Map<String, String> overrides, boolean smallWindows) {
        Map<String, String> sourceOverrides = new LinkedHashMap<>(overrides);
        ObjectNode sink = PipelineBenchmark.JSON.createObjectNode();
        sink.put("name", sinkName);
        sink.put("connector.class", "io.logbunker.connect.sink.AggregateUpsertSinkConnector");
        sink.put("tasks.max", opts.getOrDefault("sink-tasks", "1"));
        sink.put("topics", topic);
        sink.put("connection.url", pgUrl);
        sink.put("connection.user", pgUser);
        sink.put("table.name.format", table);
        sink.put("consumer.override.isolation.level", "read_committed");
        sink.put("consumer.override.max.poll.records", "5000");
        // --sink "k=v,...": sink settings of every LogBunker run; a variant's "sink.k=v" sets k on its runs' sink
        keyValues(opts.getOrDefault("sink", "")).forEach(sink::put);
        for (String key : List.copyOf(sourceOverrides.keySet())) {
            if (key.startsWith("sink.")) {
                sink.put(key.substring("sink.".length()), sourceOverrides.remove(key));
            }
        }
        ObjectNode source = PipelineBenchmark.JSON.createObjectNode();
        source.put("name", sourceName);
        source.put("connector.class", "io.logbunker.connect.source.AccessLogSourceConnector");
        source.put("tasks.max", Integer.toString(tasks));
        source.put("exactly.once.support", "required");
        source.put("files", files);
        source.put("log.format", format);
        source.put("group.by", "status,arg_ev,arg_ad");
        source.put("topic", topic);
        source.put("flush.idle.ms", "500");
        source.put("parse.threads", Integer.toString(parseThreads));
        if (smallWindows) { // many small aggregates: about one record per 9 lines
            source.put("window.size.ms", "1000");
            source.put("window.grace.ms", "0");
        }
        // producer.override.* settings: by default those of connect-configs/access-log-source.json (measured: lz4 and
        // 1 MiB batches cut Kafka bytes per line from 7.1 to 0.28 and the broker's CPU by half); --producer "" for none
        keyValues(opts.getOrDefault("producer", "compression.type=lz4,linger.ms=5,batch.size=1048576"))
                .forEach((k, v) -> source.put("producer.override." + k, v));
        // --source "k=v,...": settings of every LogBunker run (e.g. group.by), before the variant's
        keyValues(opts.getOrDefault("source", "")).forEach(source::put);
        // a variant's "sink.k=v" is the sink's setting k, the rest the source's
        sourceOverrides.forEach((k, v) -> {
            if (k.startsWith("sink.")) {
                sink.put(k.substring(5), v);
            } else {
                source.put(k, v);
            }
        });
        // converters are a pipeline setting: the sink reads what the source wrote
        for (String k : List.of("key.converter", "value.converter")) {
            if (source.has(k)) {
                sink.put(k, source.get(k).asText());
            }
        }
        return new Connectors(source, sink);
    }
}
