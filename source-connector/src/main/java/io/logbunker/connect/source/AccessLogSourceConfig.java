package io.logbunker.connect.source;

import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.tail.AllowedPaths;
import io.logbunker.connect.source.tail.FileDimensions;
import io.logbunker.connect.source.tail.PathDimensions;
import io.logbunker.connect.source.tail.TailerSettings;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Configuration of {@link AccessLogSourceConnector}; the README's reference is generated from {@link #CONFIG_DEF}. */
public final class AccessLogSourceConfig extends AbstractConfig {

    public static final String FILES = "files";
    public static final String FILES_EXCLUDE = "files.exclude";
    public static final String START_POSITION = "start.position";
    public static final String COMPRESSED_BACKFILL = "files.compressed.backfill";
    public static final String SCAN_INTERVAL_MS = "files.scan.interval.ms";
    public static final String FENCE_LOCK_FILE = "files.fence.lock";
    public static final String RELEASE_IDLE_MS = "files.release.idle.ms";
    public static final String FINGERPRINT_BYTES = "fingerprint.max.bytes";
    public static final String MAX_LINE_BYTES = "max.line.bytes";

    public static final String LOG_FORMAT = "log.format";
    public static final String PARSE_ERROR_POLICY = "parse.error.policy";
    public static final String ERRORS_TOPIC = "errors.topic";
    public static final String ERRORS_LINE_MAX_BYTES = "errors.line.max.bytes";

    public static final String WINDOW_SIZE_MS = "window.size.ms";
    public static final String WINDOW_GRACE_MS = "window.grace.ms";
    public static final String GROUP_BY = "group.by";
    public static final String METRICS = "metrics";
    public static final String METRICS_HISTOGRAM_ACCURACY = "metrics.histogram.relative.accuracy";
    public static final String METRICS_HISTOGRAM_MIN_VALUE = "metrics.histogram.min.value";
    public static final String HOST_NAME = "host.name";
    public static final String PATH_DIMENSIONS = "path.dimensions";
    public static final String FLUSH_IDLE_MS = "flush.idle.ms";
    public static final String FLUSH_MAX_INTERVAL_MS = "flush.max.interval.ms";
    public static final String MAX_OPEN_GROUPS = "max.open.groups";
    public static final String GROUP_MAX_PER_WINDOW = "group.max.per.window";

    public static final String TOPIC = "topic";
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";
    public static final String ROWS_PER_RECORD = "rows.per.record";
    public static final String READ_CHUNK_BYTES = "read.chunk.bytes";
    public static final String PARSE_THREADS = "parse.threads";

    /** Set by the connector for each task, not by users. */
    static final String TASK_INDEX = "task.index";
    static final String TASK_COUNT = "task.count";

    /** Field names the records use for themselves; group.by may not take them. */
    public static final Set<String> RESERVED_FIELDS = Set.of("window_start", "window_end", "requests", "bytes_sent",
            "request_time_sum", "request_time_min", "request_time_max", "host");

    private static final String GROUP_FILES = "Files";
    private static final String GROUP_FORMAT = "Parsing";
    private static final String GROUP_WINDOWS = "Windows";
    private static final String GROUP_OUTPUT = "Output";

    public static final ConfigDef CONFIG_DEF = configDef();

    private static ConfigDef configDef() {
        ConfigDef def = new ConfigDef();
        int o = 0;
        def.define(FILES, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new SourceConfigChecks.GlobListValidator(true), Importance.HIGH,
                "Comma-separated absolute glob patterns of the access logs to tail, e.g. /var/log/nginx/access.log*. "
                        + "Rotated files (access.log.1) should match too so that lines nginx writes into them after a rename "
                        + "are not lost. Files appearing later are picked up while running.",
                GROUP_FILES, ++o, Width.LONG, "Files");
        def.define(FILES_EXCLUDE, Type.LIST, "*.zip,*.bz2,*.xz,*.zst", new SourceConfigChecks.GlobListValidator(false), Importance.MEDIUM,
                "Glob patterns of files to skip; a pattern without '/' is matched against the file name. Gzip files (known by "
                        + "their first bytes, whatever their name) are read as their decompressed content and continue the "
                        + "file they were compressed from; other compressions cannot be read and are skipped by default. "
                        + "Adding *.gz loses the lines of any rotation compressed before it was read.",
                GROUP_FILES, ++o, Width.LONG, "Excluded files");
        def.define(START_POSITION, Type.STRING, "beginning",
                ConfigDef.CaseInsensitiveValidString.in("beginning", "end"), Importance.MEDIUM,
                "Where to start in a file that predates this connector (no stored offset, last written before the connector "
                        + "first read these logs): 'beginning' reads it whole, 'end' starts after its last complete line (a "
                        + "compressed one is not read). Files with a stored offset resume there; files written since the "
                        + "connector first ran (new rotations, also while it was stopped) are read from their first byte.",
                GROUP_FILES, ++o, Width.SHORT, "Start position");
        def.define(COMPRESSED_BACKFILL, Type.BOOLEAN, false, Importance.MEDIUM,
                "Read compressed files that predate this connector (no stored offset, last written before the connector first "
                        + "read these logs): the archives present when it is first installed, e.g. 14 days of access.log.N.gz. "
                        + "Off, they are skipped with one log line each. Compressed rotations of anything written since are "
                        + "always read, continuing at the exact byte where the plain file was left.",
                GROUP_FILES, ++o, Width.SHORT, "Backfill compressed archives");
        def.define(FENCE_LOCK_FILE, Type.STRING, "", new SourceConfigChecks.LockFileNameValidator(), Importance.MEDIUM,
                "The name of a lock file (e.g. .logbunker.lock) that the task creates in every directory it reads and holds "
                        + "an exclusive kernel lock on while it reads that directory's files. A directory whose lock another "
                        + "process holds (another host that mounts the same volume) is left alone and retried at every scan; "
                        + "the lock is released when the holder stops or dies. For one task per log host (tasks.max=1): the "
                        + "tasks of one connector share directories. Needs write access to the directories. Empty: no lock.",
                GROUP_FILES, ++o, Width.MEDIUM, "Fence lock file");
        def.define(SCAN_INTERVAL_MS, Type.LONG, 1000L, ConfigDef.Range.atLeast(10), Importance.LOW,
                "How often the file patterns are expanded to find new and rotated files.",
                GROUP_FILES, ++o, Width.SHORT, "Scan interval");
        def.define(RELEASE_IDLE_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                "A file that no longer matches the patterns (deleted, or rotated to an excluded name) is kept open and read "
                        + "until it has been idle this long, then released.",
                GROUP_FILES, ++o, Width.SHORT, "Release idle files after");
        def.define(FINGERPRINT_BYTES, Type.INT, 4096, ConfigDef.Range.between(16, 1 << 20), Importance.LOW,
                "A file's identity is the hash of its first line (of its first lines up to 32 bytes when the first is "
                        + "shorter), or of its first this many bytes when no line ends within them.",
                GROUP_FILES, ++o, Width.SHORT, "Fingerprint bytes");
        def.define(MAX_LINE_BYTES, Type.INT, 65536, ConfigDef.Range.between(256, 64 << 20), Importance.LOW,
                "Lines longer than this are rejected (routed to errors.topic) without being buffered whole.",
                GROUP_FILES, ++o, Width.SHORT, "Max line bytes");
        def.define(READ_CHUNK_BYTES, Type.INT, 4 << 20, ConfigDef.Range.between(4096, 64 << 20), Importance.LOW,
                "Bytes read from a file per read call; with parse.threads > 1 a full read of complete lines is split over the "
                        + "threads.",
                GROUP_FILES, ++o, Width.SHORT, "Read chunk bytes");

        o = 0;
        def.define(LOG_FORMAT, Type.STRING, "combined", new SourceConfigChecks.LogFormatValidator(), Importance.HIGH,
                "A preset (" + String.join(", ", LogFormat.PRESETS.keySet()) + ") or an nginx log_format string such as "
                        + "'$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
                        + "\"$http_user_agent\" $request_time'. It must contain $time_local, $time_iso8601 or $msec.",
                GROUP_FORMAT, ++o, Width.LONG, "Log format");
        def.define(PARSE_ERROR_POLICY, Type.STRING, "skip", ConfigDef.CaseInsensitiveValidString.in("skip", "fail"),
                Importance.MEDIUM,
                "What a line that does not match log.format does: 'skip' counts it (and writes it to errors.topic when set); "
                        + "'fail' stops the task with the file, byte offset and start of the line in the error.",
                GROUP_FORMAT, ++o, Width.SHORT, "Parse error policy");
        def.define(PARSE_THREADS, Type.INT, 2, ConfigDef.Range.between(1, 64), Importance.LOW,
                "Threads per task that read and parse a file's backlog in parallel (one file is read by one task): each "
                        + "chunk is read in one part per thread, then parsed in pieces taken in turn. Used only when at least "
                        + "1 MiB (half of read.chunk.bytes if smaller) is waiting, i.e. while catching up; live tailing stays "
                        + "on the task thread.",
                GROUP_FORMAT, ++o, Width.SHORT, "Parse threads");
        def.define(ERRORS_TOPIC, Type.STRING, "", Importance.MEDIUM,
                "Topic for rejected lines: the line's raw bytes without its line end (at most errors.line.max.bytes of them), "
                        + "with headers logbunker.file, logbunker.identity, logbunker.offset, logbunker.reason and "
                        + "logbunker.line.bytes (the whole line's length). Set value.converter to "
                        + "io.logbunker.connect.source.RejectedLinesRawConverter to write them as those bytes (any other "
                        + "converter wraps them, JsonConverter as base64 text). Empty: rejected lines are only counted.",
                GROUP_FORMAT, ++o, Width.MEDIUM, "Errors topic");
        def.define(ERRORS_LINE_MAX_BYTES, Type.INT, 65536, ConfigDef.Range.between(0, 64 << 20), Importance.LOW,
                "At most this many of a rejected line's first bytes go to errors.topic; a line longer than max.line.bytes "
                        + "keeps at most its first 1024. 0 sends only the headers, for logs whose rejected lines must not be "
                        + "copied (they may hold anything a client sent).",
                GROUP_FORMAT, ++o, Width.SHORT, "Rejected line bytes kept");

        o = 0;
        def.define(WINDOW_SIZE_MS, Type.LONG, 60_000L, ConfigDef.Range.between(1, 7L * 24 * 3600 * 1000), Importance.HIGH,
                "Tumbling event-time window size; windows are aligned to the UTC epoch.",
                GROUP_WINDOWS, ++o, Width.SHORT, "Window size");
        def.define(GROUP_BY, Type.LIST, "status", new SourceConfigChecks.GroupByValidator(), Importance.HIGH,
                "Fields the aggregates are grouped by: any variable of log.format (without $), or request_method, request_uri, "
                        + "uri, args, arg_<name> (a percent-decoded query parameter), server_protocol, status_class. "
                        + "Empty values become '-'.",
                GROUP_WINDOWS, ++o, Width.LONG, "Group by");
        def.define(METRICS, Type.STRING, "", new SourceConfigChecks.MetricsValidator(), Importance.MEDIUM,
                "Aggregates of numeric variables of log.format, per record: variable:aggregate,... with the aggregates sum, min, "
                        + "max and histogram, entries separated by ';' (e.g. request_time:sum,max,histogram;"
                        + "upstream_response_time:histogram;request_length:sum). Fields are named <variable>_<aggregate>. Seconds "
                        + "(request_time, upstream_response_time, upstream_connect_time, upstream_header_time, upstream_queue_time, "
                        + "msec) are float64, the others (request_length, bytes_sent, body_bytes_sent, upstream_response_length, "
                        + "upstream_bytes_received, upstream_bytes_sent, bytes_received, connection_requests, content_length) int64. "
                        + "'-' is no value; a list such as '0.012, 0.030 : 0.004' (servers tried, internal redirects) counts as "
                        + "its sum. A histogram is a map from log-linear bucket to count, which the sink stores and merges "
                        + "bucket by bucket, for exact percentiles in SQL. Empty: request_time:sum,min,max when the format has "
                        + "$request_time.",
                GROUP_WINDOWS, ++o, Width.LONG, "Metrics");
        def.define(METRICS_HISTOGRAM_ACCURACY, Type.DOUBLE, 0.01, ConfigDef.Range.between(0.0001, 0.5), Importance.LOW,
                "Relative accuracy a of the histograms: bucket i holds the values in (gamma^(i-1), gamma^i] with gamma = "
                        + "(1+a)/(1-a), and every percentile read from them is within a of the exact one. Smaller means more "
                        + "buckets per row. Changing it later needs a new table.",
                GROUP_WINDOWS, ++o, Width.SHORT, "Histogram accuracy");
        def.define(METRICS_HISTOGRAM_MIN_VALUE, Type.DOUBLE, 0.001, ConfigDef.Range.between(1e-9, 1e9), Importance.LOW,
                "Values below this (and zero) are counted in the histograms' zero bucket (index -2147483648, value 0). "
                        + "nginx writes times in milliseconds, so 0.001 keeps every non-zero time.",
                GROUP_WINDOWS, ++o, Width.SHORT, "Histogram minimum value");
        def.define(WINDOW_GRACE_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                "A file's open groups are emitted once its event time passes the end of its oldest open window plus this. "
                        + "Later lines are still counted, as further partials of their window.",
                GROUP_WINDOWS, ++o, Width.SHORT, "Window grace");
        def.define(FLUSH_IDLE_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                "Emit a file's open groups when no bytes have arrived in it for this long (wall clock).",
                GROUP_WINDOWS, ++o, Width.SHORT, "Flush when idle");
        def.define(FLUSH_MAX_INTERVAL_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                "Emit a file's open groups at least this often (wall clock).",
                GROUP_WINDOWS, ++o, Width.SHORT, "Max flush interval");
        def.define(MAX_OPEN_GROUPS, Type.INT, 200_000, ConfigDef.Range.between(1, 10_000_000), Importance.MEDIUM,
                "Emit a file's open groups (and rejected lines) before their number would exceed this; bounds the task's heap "
                        + "(about 150 bytes per open group, several times that while a flush's records are in flight) and the size "
                        + "of one transaction. Set it above the groups of two windows (the closing one and the next): a flush "
                        + "forced by this limit emits every open group as a partial, and each partial is one more record and "
                        + "upsert.",
                GROUP_WINDOWS, ++o, Width.SHORT, "Max open groups");
        def.define(GROUP_MAX_PER_WINDOW, Type.INT, 0, ConfigDef.Range.between(0, 10_000_000), Importance.MEDIUM,
                "Most distinct groups one task emits per window; the lines of every further group of the window are counted "
                        + "in one group whose group-by values are all __other__ (lines-over-group-cap-total). Totals stay exact; "
                        + "a group's own counts become lower bounds once its window reached the cap. Guards against "
                        + "cardinality bombs (random URIs with group.by=uri). 0: no cap.",
                GROUP_WINDOWS, ++o, Width.SHORT, "Max groups per window");
        def.define(HOST_NAME, Type.STRING, "", new SourceConfigChecks.HostNameValidator(), Importance.LOW,
                "When set, every record gets a 'host' key field with this value, so several hosts can share one table. "
                        + "On a fleet, ${env:HOSTNAME} with the worker's EnvVarConfigProvider gives each host's worker its own "
                        + "name. A 'host' group of path.dimensions, where it matches a file's path, gives that file's host "
                        + "instead. The host is part of each file's identity in the offsets.",
                GROUP_WINDOWS, ++o, Width.MEDIUM, "Host name");
        def.define(PATH_DIMENSIONS, Type.STRING, "", new SourceConfigChecks.PathDimensionsValidator(), Importance.MEDIUM,
                "A regular expression whose named groups, found in a file's absolute path, become key fields of its records "
                        + "(before the group.by fields), e.g. ^/mnt/logs/(?<host>[^/]+)/ for one directory per host on a shared "
                        + "volume. Group names are lower case letters and digits. Values come from the path at which the task "
                        + "first opens a file and stay with its identity, so a rotated file keeps them; a path the expression "
                        + "does not match gets '-' (logged). Empty: none.",
                GROUP_WINDOWS, ++o, Width.LONG, "Path dimensions");

        o = 0;
        def.define(TOPIC, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                "Topic the aggregate records are written to.",
                GROUP_OUTPUT, ++o, Width.MEDIUM, "Topic");
        def.define(POLL_INTERVAL_MS, Type.LONG, 200L, ConfigDef.Range.between(1, 60_000), Importance.LOW,
                "How long a poll waits when no file has new bytes.",
                GROUP_OUTPUT, ++o, Width.SHORT, "Poll interval");
        def.define(ROWS_PER_RECORD, Type.INT, 1, ConfigDef.Range.between(1, 100_000), Importance.MEDIUM,
                "1: one record per (window, group) row, keyed by the row's key, which any sink and per-record SMT understands. "
                        + "Above 1: the rows of a flush go out in records of up to this many rows, with no key and as value the "
                        + "array of the rows' values (schema io.logbunker.accesslog.AggregateBatch, with the merge parameter "
                        + "'rows'). LogBunker's sink writes each row as it would "
                        + "its own record; a dead letter queue, SMTs and other sinks see the batch as one record. At high "
                        + "cardinality this saves Kafka's and Connect's cost per record (README, Cardinality). A record also ends "
                        + "before its rows would pass about 512 KB as JsonConverter would write them (long dimension values, "
                        + "wide histograms), half the producer's default max.request.size; 100 rows of the per-ad shape make "
                        + "about 6 KB with CompactConverter.",
                GROUP_OUTPUT, ++o, Width.SHORT, "Rows per record");

        def.defineInternal(TASK_INDEX, Type.INT, 0, Importance.LOW);
        def.defineInternal(TASK_COUNT, Type.INT, 1, Importance.LOW);
        return def;
    }

    public AccessLogSourceConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        SourceConfigChecks.validateGroupBy(getString(LOG_FORMAT), getList(GROUP_BY), !getString(HOST_NAME).isEmpty())
                .ifPresent(msg -> {
                    throw new ConfigException(GROUP_BY, getList(GROUP_BY), msg);
                });
        SourceConfigChecks.validateMetrics(getString(LOG_FORMAT), getString(METRICS), getList(GROUP_BY))
                .ifPresent(msg -> {
                    throw new ConfigException(METRICS, getString(METRICS), msg);
                });
        SourceConfigChecks.validatePathDimensions(getString(PATH_DIMENSIONS), getList(GROUP_BY), getString(METRICS), getString(LOG_FORMAT))
                .ifPresent(msg -> {
                    throw new ConfigException(PATH_DIMENSIONS, getString(PATH_DIMENSIONS), msg);
                });
    }

    /** The key fields each file gives its rows: host, then the rest of path.dimensions. */
    public FileDimensions fileDimensions() {
        return new FileDimensions(PathDimensions.parse(getString(PATH_DIMENSIONS)), getString(HOST_NAME));
    }

    public String topic() {
        return getString(TOPIC);
    }

    public String errorsTopic() {
        return getString(ERRORS_TOPIC);
    }

    public String hostName() {
        return getString(HOST_NAME);
    }

    public List<String> groupBy() {
        return getList(GROUP_BY);
    }

    public int rowsPerRecord() {
        return getInt(ROWS_PER_RECORD);
    }

    public long pollIntervalMs() {
        return getLong(POLL_INTERVAL_MS);
    }

    public TailerSettings tailerSettings() {
        return TailerSettings.builder()
                .includes(getList(FILES))
                .excludes(getList(FILES_EXCLUDE))
                .task(getInt(TASK_INDEX), getInt(TASK_COUNT))
                .startAtEnd(getString(START_POSITION).toLowerCase(Locale.ROOT).equals("end"))
                .maxLineBytes(getInt(MAX_LINE_BYTES))
                .fingerprintBytes(getInt(FINGERPRINT_BYTES))
                .window(getLong(WINDOW_SIZE_MS), getLong(WINDOW_GRACE_MS))
                .flushIdleMs(getLong(FLUSH_IDLE_MS))
                .flushMaxIntervalMs(getLong(FLUSH_MAX_INTERVAL_MS))
                .maxOpenGroups(getInt(MAX_OPEN_GROUPS))
                .groupMaxPerWindow(getInt(GROUP_MAX_PER_WINDOW))
                .compressedBackfill(getBoolean(COMPRESSED_BACKFILL))
                .scanIntervalMs(getLong(SCAN_INTERVAL_MS))
                .releaseIdleMs(getLong(RELEASE_IDLE_MS))
                .readChunkBytes(getInt(READ_CHUNK_BYTES))
                .groupBy(getList(GROUP_BY)).pathDimensions(getString(PATH_DIMENSIONS)).hostName(getString(HOST_NAME))
                .fenceLockFile(getString(FENCE_LOCK_FILE))
                .logFormat(getString(LOG_FORMAT))
                .failOnParseError(getString(PARSE_ERROR_POLICY).toLowerCase(Locale.ROOT).equals("fail"))
                .parseThreads(getInt(PARSE_THREADS))
                .rejectedLineMaxBytes(getInt(ERRORS_LINE_MAX_BYTES))
                .allowedPaths(AllowedPaths.fromEnvironment())
                .metrics(getString(METRICS), getDouble(METRICS_HISTOGRAM_ACCURACY), getDouble(METRICS_HISTOGRAM_MIN_VALUE))
                .build();
    }
}
