package io.logbunker.connect.source;

import io.logbunker.connect.source.tail.AccessLogTailer;
import io.logbunker.connect.source.tail.TailerStats;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Rate;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The task's metrics, registered through Connect's plugin metrics (KIP-877), so they appear in JMX as
 * {@code kafka.connect:type=plugins,connector=<name>,task=<n>} next to Connect's own task metrics.
 */
final class SourceTaskMetrics implements AutoCloseable {
    private final PluginMetrics metrics;
    private final AccessLogTailer tailer;
    private final Map<String, MetricName[]> perFile = new HashMap<>();
    private final java.util.List<MetricName> taskMetrics = new java.util.ArrayList<>();
    private final Map<String, Long> behindByIdentity = new HashMap<>();
    private final Map<String, String> pathByIdentity = new HashMap<>();
    private final Sensor linesSensor;
    private final Sensor rejectedSensor;
    private long lastLines;
    private long lastRejected;

    SourceTaskMetrics(PluginMetrics metrics, AccessLogTailer tailer) {
        this.metrics = metrics;
        this.tailer = tailer;
        TailerStats s = tailer.stats();
        gauge("files-tracked", "Files this task tails now.", x -> s.filesTracked());
        gauge("bytes-behind-total", "Bytes appended to the tailed files and not read yet, over all files.", x -> s.bytesBehind());
        gauge("lines-read-total", "Complete lines read (parsed or rejected).", x -> s.linesRead());
        gauge("lines-rejected-total", "Lines that did not match log.format or were too long.", x -> s.linesRejected());
        gauge("bytes-read-total", "Bytes read from files.", x -> s.bytesRead());
        gauge("truncations-total", "Files found truncated in place (copytruncate) or rewritten since the last read, and restarted at 0.", x -> s.truncations());
        gauge("offset-mismatches-total", "Stored offsets that did not fit their file, which was then read from 0.",
                x -> s.offsetMismatches());
        gauge("lines-over-group-cap-total", "Lines counted in their window's __other__ group because the window already had "
                + "group.max.per.window groups.", x -> s.linesOverGroupCap());
        gauge("corrupt-compressed-files-total", "Compressed files (gzip by their first bytes) that are not valid gzip; each "
                + "is skipped with a warning naming it until it changes, and other files go on.", x -> s.corruptCompressed());
        gauge("files-refused-total", "Files matching the patterns that resolve outside the directories the worker allows "
                + "(LOGBUNKER_ALLOWED_PATHS), e.g. a symbolic link pointing out; never read.", x -> s.filesRefused());
        gauge("directories-fenced", "Directories found whose files.fence.lock another reader (another host) holds: their files "
                + "are not read here until it is released.", x -> s.directoriesFenced());
        gauge("fingerprint-conflicts-total", "Times a file was held back because another tailed file has the same first line.",
                x -> s.fingerprintConflicts());
        gauge("records-emitted-total", "Aggregate rows and rejected lines emitted, one record each (with rows.per.record "
                + "above 1, up to that many rows share a record).", x -> s.recordsEmitted());
        gauge("open-groups", "(window, group) aggregates open in memory.", x -> s.openGroups());
        gauge("open-windows", "Distinct windows open in memory, summed over files.", x -> s.openWindows());
        gauge("last-emitted-window-start-ms", "Start (epoch ms) of the newest window emitted, -1 before the first.",
                x -> s.lastEmittedWindowStart());
        linesSensor = metrics.addSensor("lines-read");
        linesSensor.add(metrics.metricName("lines-read-rate", "Lines read per second.", new LinkedHashMap<>()), new Rate());
        rejectedSensor = metrics.addSensor("lines-rejected");
        rejectedSensor.add(metrics.metricName("lines-rejected-rate", "Lines rejected per second.", new LinkedHashMap<>()),
                new Rate());
        rejectedSensor.add(metrics.metricName("lines-rejected-sum", "Lines rejected since this task started.",
                new LinkedHashMap<>()), new CumulativeSum());
    }

    private void gauge(String name, String doc, ToDoubleFunction<Void> f) {
        MetricName n = metrics.metricName(name, doc, new LinkedHashMap<>());
        metrics.addMetric(n, (Gauge<Double>) (config, now) -> f.applyAsDouble(null));
        taskMetrics.add(n);
    }

    /** Called after each poll on the task thread: records rates and keeps the per-file metrics in step. */
    synchronized void update() {
        TailerStats s = tailer.stats();
        long lines = s.linesRead();
        long rejected = s.linesRejected();
        if (lines > lastLines) {
            linesSensor.record(lines - lastLines);
            lastLines = lines;
        }
        if (rejected > lastRejected) {
            rejectedSensor.record(rejected - lastRejected);
            lastRejected = rejected;
        }
        Map<String, Long> behind = tailer.bytesBehindByIdentity();
        Map<String, java.nio.file.Path> paths = tailer.pathsByIdentity();
        behindByIdentity.clear();
        behindByIdentity.putAll(behind);
        paths.forEach((id, p) -> pathByIdentity.put(id, p.toString()));
        for (String id : behind.keySet()) {
            perFile.computeIfAbsent(id, this::registerFile);
        }
        perFile.entrySet().removeIf(e -> {
            if (behind.containsKey(e.getKey())) {
                return false;
            }
            for (MetricName n : e.getValue()) {
                metrics.removeMetric(n);
            }
            pathByIdentity.remove(e.getKey());
            return true;
        });
    }

    private MetricName[] registerFile(String identity) {
        LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        tags.put("file-identity", identity);
        MetricName behind = metrics.metricName("file-bytes-behind", "Bytes appended to this file and not read yet.", tags);
        MetricName path = metrics.metricName("file-path", "The path this file has now.", tags);
        metrics.addMetric(behind, (Gauge<Long>) (c, n) -> {
            synchronized (this) {
                return behindByIdentity.getOrDefault(identity, 0L);
            }
        });
        metrics.addMetric(path, (Gauge<String>) (c, n) -> {
            synchronized (this) {
                return pathByIdentity.getOrDefault(identity, "");
            }
        });
        return new MetricName[] {behind, path};
    }

    @Override
    public synchronized void close() {
        for (MetricName[] names : perFile.values()) {
            for (MetricName n : names) {
                metrics.removeMetric(n);
            }
        }
        perFile.clear();
        taskMetrics.forEach(metrics::removeMetric);
        taskMetrics.clear();
        metrics.removeSensor("lines-read");
        metrics.removeSensor("lines-rejected");
    }
}
