package io.logbunker.connect.source.tail;

import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.window.MetricSpec;

import java.util.List;

/**
 * The tailer's settings, free of Connect types so the engine is testable on its own. Build them by name with
 * {@link #builder()}, whose defaults are the connector's (a test holds them equal).
 *
 * @param includes             absolute glob patterns of files to tail
 * @param excludes             glob patterns (absolute, or matched against the file name) to skip
 * @param taskIndex            this task's index; a file belongs to the task {@code hash(identity) mod taskCount}
 * @param startAtEnd           files with no stored offset start at their last complete line instead of at 0
 * @param parseThreads         threads that parse one file's backlog in parallel (1: the task thread only)
 * @param parallelMinBytes     a read must hold at least this many bytes of complete lines to be split over threads
 * @param rejectedLineMaxBytes most bytes of a rejected line kept for errors.topic (0: none)
 * @param groupMaxPerWindow    distinct groups emitted per window before the rest go to the __other__ group (0: no cap)
 * @param compressedBackfill   read compressed files that predate the connector (no stored offset, last written before
 *                             it first ran) instead of skipping them
 * @param allowedPaths         the directories the worker's operator allows (the builder's default allows everything:
 *                             the connector always passes the worker's)
 * @param metrics              the metrics setting ({@link MetricSpec}); empty for the default
 * @param histogramAccuracy    the histograms' relative accuracy
 * @param histogramMinValue    values below it go to a histogram's zero bucket
 * @param pathDimensions       the path.dimensions setting ({@link PathDimensions}); empty for none
 * @param hostName             the host.name setting: the host of files whose path gives none; empty for none
 * @param fenceLockFile        the name of the lock file taken in every directory read ({@link DirectoryFence}); empty for none
 * @param batchedLookupGroups  the open groups of an aggregator from which lines are parsed a batch at a time and their
 *                             groups looked up together ({@link LineBatch}); not a connector setting (tests lower it)
 */
public record TailerSettings(List<String> includes, List<String> excludes, int taskIndex, int taskCount, boolean startAtEnd,
                             int maxLineBytes, int fingerprintBytes, long windowSizeMs, long windowGraceMs, long flushIdleMs,
                             long flushMaxIntervalMs, int maxOpenGroups, long scanIntervalMs, long releaseIdleMs,
                             int readChunkBytes, List<String> groupBy, String logFormat, boolean failOnParseError,
                             int parseThreads, int parallelMinBytes, int rejectedLineMaxBytes, int groupMaxPerWindow,
                             boolean compressedBackfill, AllowedPaths allowedPaths, String metrics, double histogramAccuracy,
                             double histogramMinValue, String pathDimensions, String hostName, String fenceLockFile,
                             int batchedLookupGroups) {

    /** The key fields of each file: its host and the rest of path.dimensions ({@link FileDimensions}). */
    public FileDimensions fileDimensions() {
        return new FileDimensions(PathDimensions.parse(pathDimensions), hostName);
    }

    /** The metrics to aggregate, resolved against the log format. */
    public MetricSpec metricSpec() {
        return MetricSpec.parse(metrics, LogFormat.compile(logFormat), histogramAccuracy, histogramMinValue);
    }

    /** The parallel threshold for a read chunk size: half a chunk, at most 1 MiB. */
    public static int parallelMinBytesFor(int readChunkBytes) {
        return Math.min(1 << 20, readChunkBytes / 2);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Named settings with the connector's defaults; {@code parallelMinBytes} follows the chunk size unless set. */
    public static final class Builder {
        private List<String> includes = List.of();
        private List<String> excludes = List.of("*.zip", "*.bz2", "*.xz", "*.zst");
        private int taskIndex;
        private int taskCount = 1;
        private boolean startAtEnd;
        private int maxLineBytes = 65_536;
        private int fingerprintBytes = 4096;
        private long windowSizeMs = 60_000;
        private long windowGraceMs = 5_000;
        private long flushIdleMs = 10_000;
        private long flushMaxIntervalMs = 60_000;
        private int maxOpenGroups = 200_000;
        private long scanIntervalMs = 1_000;
        private long releaseIdleMs = 60_000;
        private int readChunkBytes = 4 << 20;
        private List<String> groupBy = List.of("status");
        private String logFormat = "combined";
        private boolean failOnParseError;
        private int parseThreads = 2;
        private Integer parallelMinBytes;
        private int rejectedLineMaxBytes = 65_536;
        private String metrics = "";
        private String pathDimensions = "";
        private String hostName = "";
        private String fenceLockFile = "";
        private double histogramAccuracy = 0.01;
        private double histogramMinValue = 0.001;
        private int groupMaxPerWindow;
        private boolean compressedBackfill;
        private AllowedPaths allowedPaths = AllowedPaths.unrestricted();
        private int batchedLookupGroups = LineBatch.DEFAULT_FROM_GROUPS;

        private Builder() {
        }

        public Builder includes(List<String> v) {
            includes = List.copyOf(v);
            return this;
        }

        public Builder excludes(List<String> v) {
            excludes = List.copyOf(v);
            return this;
        }

        public Builder task(int index, int count) {
            taskIndex = index;
            taskCount = count;
            return this;
        }

        public Builder startAtEnd(boolean v) {
            startAtEnd = v;
            return this;
        }

        public Builder maxLineBytes(int v) {
            maxLineBytes = v;
            return this;
        }

        public Builder fingerprintBytes(int v) {
            fingerprintBytes = v;
            return this;
        }

        public Builder window(long sizeMs, long graceMs) {
            windowSizeMs = sizeMs;
            windowGraceMs = graceMs;
            return this;
        }

        public Builder flushIdleMs(long v) {
            flushIdleMs = v;
            return this;
        }

        public Builder flushMaxIntervalMs(long v) {
            flushMaxIntervalMs = v;
            return this;
        }

        public Builder maxOpenGroups(int v) {
            maxOpenGroups = v;
            return this;
        }

        public Builder scanIntervalMs(long v) {
            scanIntervalMs = v;
            return this;
        }

        public Builder releaseIdleMs(long v) {
            releaseIdleMs = v;
            return this;
        }

        public Builder readChunkBytes(int v) {
            readChunkBytes = v;
            return this;
        }

        public Builder groupBy(List<String> v) {
            groupBy = List.copyOf(v);
            return this;
        }

        public Builder logFormat(String v) {
            logFormat = v;
            return this;
        }

        public Builder failOnParseError(boolean v) {
            failOnParseError = v;
            return this;
        }

        public Builder parseThreads(int v) {
            parseThreads = v;
            return this;
        }

        public Builder parallelMinBytes(int v) {
            parallelMinBytes = v;
            return this;
        }

        public Builder rejectedLineMaxBytes(int v) {
            rejectedLineMaxBytes = v;
            return this;
        }

        public Builder groupMaxPerWindow(int v) {
            groupMaxPerWindow = v;
            return this;
        }

        public Builder compressedBackfill(boolean v) {
            compressedBackfill = v;
            return this;
        }

        public Builder allowedPaths(AllowedPaths v) {
            allowedPaths = v;
            return this;
        }

        public Builder metrics(String spec, double accuracy, double minValue) {
            metrics = spec;
            histogramAccuracy = accuracy;
            histogramMinValue = minValue;
            return this;
        }

        public Builder pathDimensions(String regex) {
            pathDimensions = regex == null ? "" : regex;
            return this;
        }

        public Builder hostName(String v) {
            hostName = v == null ? "" : v;
            return this;
        }

        public Builder fenceLockFile(String v) {
            fenceLockFile = v == null ? "" : v;
            return this;
        }

        public Builder batchedLookupGroups(int v) {
            batchedLookupGroups = v;
            return this;
        }

        public TailerSettings build() {
            return new TailerSettings(includes, excludes, taskIndex, taskCount, startAtEnd, maxLineBytes, fingerprintBytes,
                    windowSizeMs, windowGraceMs, flushIdleMs, flushMaxIntervalMs, maxOpenGroups, scanIntervalMs, releaseIdleMs,
                    readChunkBytes, groupBy, logFormat, failOnParseError, parseThreads,
                    parallelMinBytes != null ? parallelMinBytes : parallelMinBytesFor(readChunkBytes), rejectedLineMaxBytes,
                    groupMaxPerWindow, compressedBackfill, allowedPaths, metrics, histogramAccuracy, histogramMinValue,
                    pathDimensions, hostName, fenceLockFile, batchedLookupGroups);
        }
    }
}
