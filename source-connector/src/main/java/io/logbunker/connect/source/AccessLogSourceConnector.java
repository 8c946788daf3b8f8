package io.logbunker.connect.source;

import io.logbunker.connect.source.tail.SourceOffset;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tails web-server access logs and emits window aggregates. Every task scans all file patterns and owns the
 * files whose identity hashes to its index, so files are spread over the tasks without coordination, a
 * rotated file stays with its task, and new files need no reconfiguration.
 */
public final class AccessLogSourceConnector extends SourceConnector {
    private static final Logger log = LoggerFactory.getLogger(AccessLogSourceConnector.class);

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        AccessLogSourceConfig config = new AccessLogSourceConfig(props); // fail fast with the field named
        String transforms = props.getOrDefault("transforms", "").trim();
        if (config.rowsPerRecord() > 1 && !transforms.isEmpty()) {
            // not an error: a transform of the topic name or headers works on a batch as on a row
            log.warn("{}={} with transforms '{}': each transform sees a batch record, whose value is an array of up to {} rows "
                    + "and which has no key, not one row. A transform that changes a record's fields fails or skips such records; "
                    + "use rows.per.record=1 with it.", AccessLogSourceConfig.ROWS_PER_RECORD, config.rowsPerRecord(), transforms,
                    config.rowsPerRecord());
        }
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return AccessLogSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> c = new HashMap<>(props);
            c.put(AccessLogSourceConfig.TASK_INDEX, Integer.toString(i));
            c.put(AccessLogSourceConfig.TASK_COUNT, Integer.toString(maxTasks));
            configs.add(c);
        }
        return configs;
    }

    @Override
    public void stop() {
        // tasks own all resources
    }

    @Override
    public ConfigDef config() {
        return AccessLogSourceConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> byName = new HashMap<>();
        for (ConfigValue v : config.configValues()) {
            byName.put(v.name(), v);
        }
        ConfigValue format = byName.get(AccessLogSourceConfig.LOG_FORMAT);
        ConfigValue groupBy = byName.get(AccessLogSourceConfig.GROUP_BY);
        ConfigValue host = byName.get(AccessLogSourceConfig.HOST_NAME);
        if (format != null && groupBy != null && format.errorMessages().isEmpty() && groupBy.errorMessages().isEmpty()
                && format.value() instanceof String && groupBy.value() instanceof List) {
            @SuppressWarnings("unchecked")
            List<String> names = (List<String>) groupBy.value();
            boolean hostSet = host != null && host.value() instanceof String && !((String) host.value()).isEmpty();
            SourceConfigChecks.validateGroupBy((String) format.value(), names, hostSet).ifPresent(groupBy::addErrorMessage);
            ConfigValue metrics = byName.get(AccessLogSourceConfig.METRICS);
            if (metrics != null && metrics.errorMessages().isEmpty() && metrics.value() instanceof String) {
                SourceConfigChecks.validateMetrics((String) format.value(), (String) metrics.value(), names)
                        .ifPresent(metrics::addErrorMessage);
            }
            ConfigValue paths = byName.get(AccessLogSourceConfig.PATH_DIMENSIONS);
            if (paths != null && paths.errorMessages().isEmpty() && paths.value() instanceof String && metrics != null) {
                SourceConfigChecks.validatePathDimensions((String) paths.value(), names, String.valueOf(metrics.value()),
                        (String) format.value()).ifPresent(paths::addErrorMessage);
            }
        }
        ConfigValue fence = byName.get(AccessLogSourceConfig.FENCE_LOCK_FILE);
        String tasksMax = connectorConfigs.getOrDefault("tasks.max", "1");
        if (fence != null && fence.value() instanceof String lock && !lock.isEmpty() && !tasksMax.trim().equals("1")) {
            fence.addErrorMessage("a fence lock is for one task per log host: with tasks.max=" + tasksMax.trim() + " the tasks of this "
                    + "connector would lock each other out of the directories they share. Set tasks.max=1, or leave "
                    + AccessLogSourceConfig.FENCE_LOCK_FILE + " empty on a cluster whose workers share the volume (Connect "
                    + "fences its own tasks there)");
        }
        return config;
    }

    /** Offsets are committed with the records in the same transaction when the worker has exactly-once enabled. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /** Every poll returns whole flush ranges, so the default poll boundary is already a correct transaction. */
    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.UNSUPPORTED;
    }

    /**
     * Lets operators reset or move offsets through {@code PATCH/DELETE /connectors/{name}/offsets}. A partition is
     * {@code {"fingerprint": "<identity>"}}; an offset is {@code {"position": <byte>}} (optionally with the
     * {@code check} the connector wrote). A position that is not right after a line end, or whose check does not
     * match, makes the task read that file from 0, with a warning.
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
            try {
                SourceOffset.identityOf(e.getKey());
                if (e.getValue() != null) { // null resets: the file starts again per start.position
                    SourceOffset.fromMap(e.getValue());
                }
            } catch (IllegalArgumentException bad) {
                throw new ConnectException("Cannot alter the offset of " + e.getKey() + ": " + bad.getMessage());
            }
        }
        return true;
    }
}
