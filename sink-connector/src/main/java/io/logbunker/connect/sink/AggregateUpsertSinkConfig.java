package io.logbunker.connect.sink;

import io.logbunker.connect.sink.dialect.Dialect;
import io.logbunker.connect.sink.dialect.JdbcUrls;
import io.logbunker.connect.sink.engine.MergeFunction;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Configuration of {@link AggregateUpsertSinkConnector}; the README's reference is generated from {@link #CONFIG_DEF}. */
public final class AggregateUpsertSinkConfig extends AbstractConfig {

    public static final String CONNECTION_URL = "connection.url";
    public static final String CONNECTION_USER = "connection.user";
    public static final String CONNECTION_PASSWORD = "connection.password";
    public static final String CONNECTION_PROPERTY_PREFIX = "connection.property.";
    public static final String CONNECTION_TIMEOUT_MS = "connection.timeout.ms";
    public static final String SOCKET_TIMEOUT_MS = "connection.socket.timeout.ms";
    public static final String CONNECTION_CHECK = "connection.check.on.validate";

    public static final String TABLE_NAME_FORMAT = "table.name.format";
    public static final String MERGE_FIELDS = "merge.fields";
    public static final String DELETE_ENABLED = "delete.enabled";
    public static final String AUTO_CREATE = "auto.create";
    public static final String AUTO_EVOLVE = "auto.evolve";
    public static final String BATCH_MAX_ROWS = "batch.max.rows";

    public static final String OFFSETS_TABLE = "offsets.table.name";

    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";

    private static final String GROUP_CONNECTION = "Connection";
    private static final String GROUP_WRITES = "Writes";
    private static final String GROUP_EXACTLY_ONCE = "Exactly once";
    private static final String GROUP_RETRIES = "Retries";

    public static final ConfigDef CONFIG_DEF = configDef();

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        int o = 0;
        def.define(CONNECTION_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new UrlValidator(), Importance.HIGH,
                "JDBC URL of the database; the dialect follows from it: jdbc:postgresql://host:5432/db, "
                        + "jdbc:mariadb://host:3306/db (or jdbc:mysql:), jdbc:sqlite:/path/metrics.db.",
                GROUP_CONNECTION, ++o, Width.LONG, "JDBC URL");
        def.define(CONNECTION_USER, Type.STRING, null, Importance.HIGH, "Database user.",
                GROUP_CONNECTION, ++o, Width.MEDIUM, "User");
        def.define(CONNECTION_PASSWORD, Type.PASSWORD, null, Importance.HIGH,
                "Database password; never logged, masked in validate responses. GET /connectors/<name>/config shows it as given: "
                        + "give it through a config provider, e.g. ${file:/path:password} (see the README, Secrets).",
                GROUP_CONNECTION, ++o, Width.MEDIUM, "Password");
        def.define(CONNECTION_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.between(100, 120_000), Importance.LOW,
                "Connect (login) timeout, also SQLite's busy timeout. Keeps a put() from blocking past the consumer's poll interval.",
                GROUP_CONNECTION, ++o, Width.SHORT, "Connect timeout");
        def.define(SOCKET_TIMEOUT_MS, Type.LONG, 120_000L, ConfigDef.Range.between(1000, 3_600_000), Importance.LOW,
                "How long a statement may wait on the network before the connection is considered lost (PostgreSQL, MariaDB).",
                GROUP_CONNECTION, ++o, Width.SHORT, "Socket timeout");
        def.define(CONNECTION_CHECK, Type.BOOLEAN, true, Importance.LOW,
                "Whether config validation connects to the database and reports an unreachable one on connection.url. Set "
                        + "false to create the connector while the database is down (it then waits for it, RUNNING).",
                GROUP_CONNECTION, ++o, Width.SHORT, "Check connection on validate");

        o = 0;
        def.define(TABLE_NAME_FORMAT, Type.STRING, "${topic}", new TableFormatValidator(), Importance.MEDIUM,
                "Target table per topic; ${topic} is replaced by the topic name. The name is quoted as one identifier "
                        + "(dots included), so it cannot inject SQL.",
                GROUP_WRITES, ++o, Width.MEDIUM, "Table name format");
        def.define(MERGE_FIELDS, Type.LIST, "", new MergeFieldsValidator(), Importance.MEDIUM,
                "Merge function per value field, overriding the schema's 'merge' parameter: requests:sum,bytes_sent:sum,"
                        + "latency_min:min,latency_max:max,label:replace. Fields with neither are 'replace'. 'histogram' (a map "
                        + "from int32 bucket to int64 count whose schema has the parameter histogram.relative.accuracy) is "
                        + "a column holding the non-empty buckets as JSON [[bucket,count],...], merged by adding the counts "
                        + "of equal buckets.",
                GROUP_WRITES, ++o, Width.LONG, "Merge functions");
        def.define(DELETE_ENABLED, Type.BOOLEAN, false, Importance.MEDIUM,
                "Tombstones (a key with a null value) delete the row with that key (its histograms included). When false a "
                        + "tombstone is a bad record (errant record reporter / DLQ, or a failed task).",
                GROUP_WRITES, ++o, Width.SHORT, "Delete on tombstone");
        def.define(AUTO_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
                "Create missing tables from the record schemas, with the key fields as primary key.",
                GROUP_WRITES, ++o, Width.SHORT, "Auto create");
        def.define(AUTO_EVOLVE, Type.BOOLEAN, true, Importance.MEDIUM,
                "Add value fields that the table lacks as nullable columns.",
                GROUP_WRITES, ++o, Width.SHORT, "Auto evolve");
        def.define(BATCH_MAX_ROWS, Type.INT, 1000, ConfigDef.Range.between(1, 100_000), Importance.LOW,
                "Most rows in one multi-row upsert statement (also bounded by 30000 bind parameters).",
                GROUP_WRITES, ++o, Width.SHORT, "Rows per statement");

        o = 0;
        def.define(OFFSETS_TABLE, Type.STRING, "logbunker_sink_offsets", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                "Table holding (connector_name, topic, kafka_partition, next_offset), written in the same transaction as the data. "
                        + "Created automatically.",
                GROUP_EXACTLY_ONCE, ++o, Width.MEDIUM, "Offsets table");

        o = 0;
        def.define(MAX_RETRIES, Type.INT, 1000, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                "Consecutive failed puts (database unreachable, restarting, deadlocked) before the task fails. With the default "
                        + "backoff this rides out an outage of at least 16 minutes; the task stays RUNNING meanwhile and "
                        + "nothing is lost or applied twice.",
                GROUP_RETRIES, ++o, Width.SHORT, "Max retries");
        def.define(RETRY_BACKOFF_MS, Type.LONG, 1000L, ConfigDef.Range.between(0, 600_000), Importance.MEDIUM,
                "Wait before Connect redelivers a batch that failed for a retriable reason.",
                GROUP_RETRIES, ++o, Width.SHORT, "Retry backoff");
        return def;
    }

    public AggregateUpsertSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    public Dialect dialect() {
        return JdbcUrls.dialectFor(getString(CONNECTION_URL));
    }

    public String url() {
        return getString(CONNECTION_URL);
    }

    /** JDBC properties: user, password, pass-through {@code connection.property.*} and the timeouts. */
    public Properties jdbcProperties() {
        Properties p = new Properties();
        originalsWithPrefix(CONNECTION_PROPERTY_PREFIX).forEach((k, v) -> p.put(k, String.valueOf(v)));
        String user = getString(CONNECTION_USER);
        Password password = getPassword(CONNECTION_PASSWORD);
        if (user != null) {
            p.put("user", user);
        }
        if (password != null && password.value() != null) {
            p.put("password", password.value());
        }
        dialect().addTimeouts(p, getLong(CONNECTION_TIMEOUT_MS), getLong(SOCKET_TIMEOUT_MS));
        return p;
    }

    public Map<String, MergeFunction> mergeOverrides() {
        return parseMergeFields(getList(MERGE_FIELDS));
    }

    static Map<String, MergeFunction> parseMergeFields(List<String> entries) {
        Map<String, MergeFunction> m = new LinkedHashMap<>();
        for (String entry : entries) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.lastIndexOf(':');
            if (colon <= 0 || colon == e.length() - 1) {
                throw new IllegalArgumentException("'" + e + "' is not field:function (e.g. requests:sum)");
            }
            String field = e.substring(0, colon).trim();
            MergeFunction f = MergeFunction.parse(e.substring(colon + 1));
            if (f == MergeFunction.KEY) {
                throw new IllegalArgumentException("'" + e + "': key columns come from the record key, not from merge.fields");
            }
            if (m.put(field, f) != null) {
                throw new IllegalArgumentException("'" + field + "' is listed twice");
            }
        }
        return m;
    }

    private static final class UrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                JdbcUrls.dialectFor((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, JdbcUrls.redact((String) value), e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "jdbc:postgresql:..., jdbc:mariadb:..., jdbc:mysql:... or jdbc:sqlite:...";
        }
    }

    private static final class MergeFieldsValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                @SuppressWarnings("unchecked")
                List<String> entries = (List<String>) value;
                parseMergeFields(entries);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "list of field:function, function one of sum, min, max, replace";
        }
    }

    private static final class TableFormatValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String s = (String) value;
            if (s == null || s.isBlank()) {
                throw new ConfigException(name, value, "must not be empty");
            }
            if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new ConfigException(name, value, "must not contain control characters");
            }
        }

        @Override
        public String toString() {
            return "a table name, ${topic} is replaced by the topic";
        }
    }
}
