package io.logbunker.connect.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Appends synthetic nginx lines like a busy server, rotates like logrotate (rename, keep writing a little into
 * the renamed file as nginx does until it reopens), and counts the truth independently of the connector:
 * requests and bytes per (window start, status), plus the bad lines it wrote.
 */
public final class LogWriter {
    public static final long BASE_TIME_MS = 1_795_860_000_000L; // 2026-11-27T08:00:00Z, a whole minute

    private final Path file;
    private final long lineSpacingMs;
    private final Map<String, long[]> truth = new TreeMap<>();
    private OutputStream out;
    private long next;
    private long badLines;
    private long goodLines;

    /** combined plus {@code $request_time "$upstream_response_time"}, as written with {@link #withLatencies}. */
    public static final String LATENCY_FORMAT = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\" $request_time \"$upstream_response_time\"";

    private boolean latencies;

    public LogWriter(Path file, long lineSpacingMs) throws IOException {
        this.file = file;
        this.lineSpacingMs = lineSpacingMs;
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Lines in {@link #LATENCY_FORMAT}: heavy-tailed request times (log-normal body, rare multi-second outliers, zeros)
     * and upstream times that are sometimes {@code -} or lists such as {@code "0.012, 0.030 : -"}.
     */
    public LogWriter withLatencies() {
        latencies = true;
        return this;
    }

    /** The latency fields of line {@code i}, the same for every run. */
    static String latencyFields(long i) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(i * 0x9E3779B97F4A7C15L);
        double p = r.nextDouble();
        double rt = p < 0.02 ? 0 : p < 0.03 ? 1 + r.nextDouble() * 9 : Math.exp(Math.log(0.05) + 0.8 * gaussian(r));
        String upstream;
        if (i % 7 == 0) {
            upstream = "-";
        } else if (i % 13 == 0) {
            upstream = ms(rt * 0.3) + ", " + ms(rt * 0.5) + " : " + (i % 2 == 0 ? "-" : ms(rt * 0.1));
        } else {
            upstream = ms(rt * 0.9);
        }
        return " " + ms(rt) + " \"" + upstream + "\"";
    }

    private static double gaussian(java.util.SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static String ms(double seconds) {
        return String.format(java.util.Locale.ROOT, "%.3f", seconds);
    }

    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    public synchronized void writeLines(int n) throws IOException {
        StringBuilder sb = new StringBuilder(n * 120);
        for (int k = 0; k < n; k++) {
            long i = next++;
            if (i % 997 == 13) {
                sb.append("BAD LINE ").append(i).append(" \\x16\\x03\n");
                badLines++;
                continue;
            }
            long t = BASE_TIME_MS + i * lineSpacingMs;
            java.time.ZonedDateTime z = java.time.Instant.ofEpochMilli(t).atZone(java.time.ZoneOffset.ofHours(1));
            int status = i % 11 == 0 ? 404 : (i % 17 == 0 ? 500 : 200);
            long bytes = i % 5 == 0 ? 0 : 100 + i % 1000;
            sb.append(String.format("10.%d.%d.%d - - [%02d/%s/%d:%02d:%02d:%02d +0100] \"GET /t?ev=click&ad=%d HTTP/1.1\" %d %s \"-\" \"ua %d\"%n",
                    i % 200, (i / 200) % 250, i % 250, z.getDayOfMonth(), MONTHS[z.getMonthValue() - 1], z.getYear(), z.getHour(),
                    z.getMinute(), z.getSecond(), i % 13, status, bytes == 0 ? "-" : Long.toString(bytes), i % 3));
            if (latencies) {
                sb.setLength(sb.length() - System.lineSeparator().length());
                sb.append(latencyFields(i)).append('\n');
            }
            long window = Math.floorDiv(t, 60_000L) * 60_000L;
            long[] v = truth.computeIfAbsent(window + "|" + status, x -> new long[2]);
            v[0]++;
            v[1] += bytes;
            goodLines++;
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** logrotate without copytruncate: rename, a few more lines land in the renamed file, then reopen. */
    public synchronized void rotate(Path renamedTo, int linesIntoRenamedFile) throws IOException {
        Files.move(file, renamedTo);
        writeLines(linesIntoRenamedFile);
        out.close();
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** After an outside rename (logrotate), opens a new file at the old path, as nginx does on USR1. */
    public synchronized void reopen() throws IOException {
        out.close();
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private volatile boolean appending;
    private Thread appender;
    private volatile Throwable appendError;

    /** Keeps appending {@code linesPerTick} lines every {@code tickMs} on a background thread, like a busy server. */
    public void startAppending(int linesPerTick, long tickMs) {
        appending = true;
        appender = new Thread(() -> {
            try {
                while (appending) {
                    writeLines(linesPerTick);
                    Thread.sleep(tickMs);
                }
            } catch (Throwable e) {
                appendError = e;
            }
        }, "log-writer");
        appender.start();
    }

    /** Stops the background appender and closes the file; rethrows what failed on the appender thread. */
    public void stopAndClose() throws Exception {
        appending = false;
        if (appender != null) {
            appender.join();
        }
        close();
        if (appendError != null) {
            throw new AssertionError("the log writer failed", appendError);
        }
    }

    public synchronized void close() throws IOException {
        out.close();
    }

    public synchronized Map<String, long[]> truth() {
        Map<String, long[]> copy = new TreeMap<>();
        truth.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    public synchronized long badLines() {
        return badLines;
    }

    public synchronized long goodLines() {
        return goodLines;
    }
}
