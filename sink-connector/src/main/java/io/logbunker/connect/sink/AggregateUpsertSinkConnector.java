package io.logbunker.connect.sink;

import io.logbunker.connect.sink.dialect.JdbcUrls;
import io.logbunker.connect.sink.engine.RecordMapper;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges aggregate records into database tables with an additive upsert, and keeps the consumed Kafka offsets
 * in the database in the same transaction, so every record is applied exactly once.
 */
public final class AggregateUpsertSinkConnector extends SinkConnector {
    private static final Logger log = LoggerFactory.getLogger(AggregateUpsertSinkConnector.class);
    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    /** The consumer setting that keeps records of aborted source transactions out of the table. */
    static final String ISOLATION_OVERRIDE = "consumer.override.isolation.level";

    @Override
    public void start(Map<String, String> props) {
        new AggregateUpsertSinkConfig(props);
        this.props = Map.copyOf(props);
        if (!props.containsKey(ISOLATION_OVERRIDE)) {
            log.warn("{} is not set: unless the workers set consumer.isolation.level=read_committed, this sink reads the records "
                    + "of aborted transactions too (an exactly-once source leaves some at every crash, kill or fencing) and adds them "
                    + "to the table. Set {}=read_committed.", ISOLATION_OVERRIDE, ISOLATION_OVERRIDE);
        }
    }

    @Override
    public Class<? extends Task> taskClass() {
        return AggregateUpsertSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            configs.add(new HashMap<>(props));
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return AggregateUpsertSinkConfig.CONFIG_DEF;
    }

    /** Adds a connection check: an unreachable database is reported on connection.url, naming the cause. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        boolean clean = config.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
        if (!clean) {
            return config;
        }
        AggregateUpsertSinkConfig parsed = new AggregateUpsertSinkConfig(connectorConfigs);
        checkTableNames(parsed, connectorConfigs.get("topics"), config);
        checkIsolation(connectorConfigs.get(ISOLATION_OVERRIDE), config);
        if (!parsed.getBoolean(AggregateUpsertSinkConfig.CONNECTION_CHECK)) {
            return config;
        }
        for (ConfigValue v : config.configValues()) {
            if (v.name().equals(AggregateUpsertSinkConfig.CONNECTION_URL)) {
                try (Connection c = JdbcDrivers.open(parsed.url(), parsed.jdbcProperties())) {
                    parsed.dialect().initialize(c);
                } catch (SQLException e) {
                    v.addErrorMessage("Cannot reach the database at " + JdbcUrls.redact(parsed.url()) + ": " + e.getMessage()
                            + " (set " + AggregateUpsertSinkConfig.CONNECTION_CHECK + "=false to create the connector anyway; "
                            + "it will wait for the database)");
                }
            }
        }
        return config;
    }

    /** A consumer that reads uncommitted records would add the records of aborted transactions to the table. */
    private static void checkIsolation(String isolation, Config config) {
        if (isolation != null && !isolation.trim().equalsIgnoreCase("read_committed")) {
            ConfigValue v = new ConfigValue(ISOLATION_OVERRIDE);
            v.value(isolation);
            v.addErrorMessage("must be read_committed: with '" + isolation + "' the sink also reads the records of aborted "
                    + "transactions (an exactly-once source leaves some at every crash, kill or fencing) and adds them to the table");
            config.configValues().add(v);
        }
    }

    /**
     * The table of each listed topic must be a name the database takes (a topics.regex is known only at run time:
     * the task checks those tables and fails naming the setting).
     */
    private static void checkTableNames(AggregateUpsertSinkConfig parsed, String topics, Config config) {
        if (topics == null || topics.isBlank()) {
            return;
        }
        String format = parsed.getString(AggregateUpsertSinkConfig.TABLE_NAME_FORMAT);
        ConfigValue v = config.configValues().stream()
                .filter(c -> c.name().equals(AggregateUpsertSinkConfig.TABLE_NAME_FORMAT)).findFirst().orElseThrow();
        for (String topic : topics.split(",")) {
            try {
                parsed.dialect().validateIdentifier(RecordMapper.tableName(format, topic.trim()));
            } catch (IllegalArgumentException e) {
                v.addErrorMessage("the table for topic '" + topic.trim() + "': " + e.getMessage());
            }
        }
    }
}
