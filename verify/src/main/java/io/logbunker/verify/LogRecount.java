package io.logbunker.verify;

import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.tail.GlobScanner;
import io.logbunker.connect.source.tail.PathDimensions;
import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.MetricSpec;
import io.logbunker.connect.source.window.WindowAggregator;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Recounts requests and bytes per (window, group) from the raw files with the source's own line rules (its format,
 * group-by and metrics), streaming each
 * file in blocks (memory follows the number of (window, group) pairs, not the size of the files). Only complete lines
 * count, as in the source; a last line without its newline is left out, as the source leaves it until it ends.
 */
final class LogRecount {

    /** The counts, and what the files cover. */
    record Result(Map<String, long[]> counts, List<Path> files, long lines, long rejected, long firstEventMs, long lastEventMs,
                  String firstRejectReason) {
    }

    private LogRecount() {
    }

    static Result count(VerifySettings s) throws IOException {
        LogFormat format;
        try {
            format = LogFormat.compile(s.logFormat());
        } catch (IllegalArgumentException e) {
            throw new VerifySettings.Unusable("--log-format: " + e.getMessage());
        }
        // the source's metrics decide which lines it rejects (a metric value that is not a number), so they decide here too
        MetricSpec metrics;
        try {
            metrics = MetricSpec.parse(s.metrics(), format, 0.01, 0.001);
        } catch (IllegalArgumentException e) {
            throw new VerifySettings.Unusable("--metrics: " + e.getMessage());
        }
        LineFolder folder;
        try {
            folder = new LineFolder(s.logFormat(), s.groupBy(), metrics);
        } catch (IllegalArgumentException e) {
            throw new VerifySettings.Unusable("--group-by: " + e.getMessage());
        }
        PathDimensions pathDimensions;
        try {
            pathDimensions = PathDimensions.parse(s.pathDimensions());
        } catch (IllegalArgumentException e) {
            throw new VerifySettings.Unusable("--path-dimensions: " + e.getMessage());
        }
        // every window stays open until the end: the grace is longer than any log
        WindowAggregator agg = new WindowAggregator(s.windowMs(), 100L * 365 * 24 * 3600 * 1000, metrics);
        List<Path> files = files(s);
        if (files.isEmpty()) {
            throw new VerifySettings.Unusable("no file matches " + s.files());
        }
        long lines = 0;
        long rejected = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        String firstReason = null;
        Map<String, long[]> counts = new TreeMap<>();
        byte[] buf = new byte[1 << 20];
        for (Path f : files) {
            try (InputStream in = open(f)) {
                int have = 0;
                int n;
                while ((n = in.read(buf, have, buf.length - have)) > 0) {
                    have += n;
                    int start = 0;
                    for (int i = 0; i < have; i++) {
                        if (buf[i] != '\n') {
                            continue;
                        }
                        lines++;
                        String reason = folder.parse(buf, start, i - start);
                        if (reason == null) {
                            folder.foldInto(agg);
                        } else {
                            rejected++;
                            if (firstReason == null) {
                                firstReason = reason;
                            }
                        }
                        start = i + 1;
                    }
                    System.arraycopy(buf, start, buf, 0, have - start);
                    have -= start;
                    if (have == buf.length) {
                        buf = java.util.Arrays.copyOf(buf, buf.length * 2); // a line longer than the buffer
                    }
                }
            } catch (IOException e) {
                throw new VerifySettings.Unusable("cannot read " + f + ": " + e.getMessage());
            }
            List<String> pathValues = new io.logbunker.connect.source.tail.FileDimensions(pathDimensions,
                    s.host() == null ? "" : s.host()).valuesOf(f);
            for (AggregateRow r : agg.drain()) {
                first = Math.min(first, r.windowStart());
                last = Math.max(last, r.windowStart());
                List<String> dims = r.dimensions();
                if (!pathValues.isEmpty()) {
                    dims = new java.util.ArrayList<>(pathValues);
                    dims.addAll(r.dimensions());
                }
                long[] c = counts.computeIfAbsent(Comparison.key(r.windowStart(), dims), k -> new long[2]);
                c[0] += r.requests();
                c[1] += r.bytesSent();
            }
        }
        return new Result(counts, files, lines, rejected, first, last, firstReason);
    }

    private static InputStream open(Path f) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(f), 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** The regular files matching the globs and none of the excludes, in path order: the source's own scanner. */
    static List<Path> files(VerifySettings s) throws IOException {
        GlobScanner scanner;
        try {
            scanner = new GlobScanner(s.files(), s.excludes());
        } catch (IllegalArgumentException e) {
            throw new VerifySettings.Unusable("--files: " + e.getMessage());
        }
        List<Path> out;
        try {
            out = new ArrayList<>(scanner.scan().keySet());
        } catch (IOException e) {
            throw new VerifySettings.Unusable("cannot list the files of " + s.files() + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new VerifySettings.Unusable("no file matches " + s.files() + ": the directory does not exist, or no file in it "
                    + "matches (and is not excluded by " + s.excludes() + ")");
        }
        for (Path p : out) {
            if (!Files.isReadable(p)) {
                throw new VerifySettings.Unusable("cannot read " + p);
            }
        }
        return out;
    }
}
