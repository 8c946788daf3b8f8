package io.logbunker.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Benchmark input: nginx lines in combined format plus {@code $request_time}: mostly ad-tracking GETs
 * ({@code GET /t?ev=click&ad=42}) with realistic user agents and referers, interleaved with the lines of the
 * real logs (given a request time), in time order so windows close as they would in production.
 */
public final class Corpus {
    public static final String FORMAT = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\" $request_time";
    /** FORMAT plus the upstream time, for {@link #buildWithLatencies}. */
    public static final String LATENCY_FORMAT = FORMAT + " \"$upstream_response_time\"";
    /** Histograms on both times, as a latency dashboard would configure them. */
    public static final String LATENCY_METRICS = "request_time:sum,min,max,histogram;upstream_response_time:max,histogram";
    private static final DateTimeFormatter TIME_LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);
    private static final String[] EVENTS = {"impression", "impression", "impression", "impression", "click", "view", "conversion"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36"};

    private Corpus() {
    }

    /** About {@code bytes} of lines; every 10th line comes from the real logs when they are found. */
    public static byte[] build(long bytes, long startEpochSec, int linesPerSecond) throws IOException {
        return build(bytes, startEpochSec, linesPerSecond, 200);
    }

    /** The same with {@code ads} distinct ad ids (200 in the standard corpus; per-ad counters have thousands). */
    public static byte[] build(long bytes, long startEpochSec, int linesPerSecond, int ads) throws IOException {
        return build(bytes, startEpochSec, linesPerSecond, ads, false);
    }

    /**
     * The same lines in {@link #LATENCY_FORMAT}, with request times as a proxied service has them (log-normal around
     * 50 ms, 1% of 1 to 10 s, 2% zero, milliseconds) and upstream times that are sometimes '-' or a list of two servers.
     */
    public static byte[] buildWithLatencies(long bytes, long startEpochSec, int linesPerSecond, int ads) throws IOException {
        return build(bytes, startEpochSec, linesPerSecond, ads, true);
    }

    private static String latencies(Random r, long i) {
        double p = r.nextDouble();
        double rt = p < 0.02 ? 0 : p < 0.03 ? 1 + r.nextDouble() * 9 : Math.exp(Math.log(0.05) + 0.8 * r.nextGaussian());
        long ms = Math.round(rt * 1000);
        String upstream = i % 7 == 0 ? "-" : i % 13 == 0 ? millis(ms / 3) + ", " + millis(ms / 2) : millis(ms * 9 / 10);
        return millis(ms) + " \"" + upstream + "\"";
    }

    private static String millis(long ms) {
        return ms / 1000 + "." + (char) ('0' + ms / 100 % 10) + (char) ('0' + ms / 10 % 10) + (char) ('0' + ms % 10);
    }

    private static byte[] build(long bytes, long startEpochSec, int linesPerSecond, int ads, boolean withLatencies) throws IOException {
        List<byte[]> real = realLines();
        Random r = new Random(42);
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 16, bytes + 4096));
        StringBuilder sb = new StringBuilder(512);
        long i = 0;
        int realIdx = 0;
        String time = null;
        long lastSec = -1;
        while (out.size() < bytes) {
            long sec = startEpochSec + i / linesPerSecond;
            if (sec != lastSec) {
                time = TIME_LOCAL.format(Instant.ofEpochSecond(sec));
                lastSec = sec;
            }
            sb.setLength(0);
            if (!real.isEmpty() && i % 10 == 9) {
                // a real line, re-timed into the stream so its window is realistic, with a request time appended
                String line = new String(real.get(realIdx++ % real.size()), StandardCharsets.ISO_8859_1);
                int lb = line.indexOf('[');
                int rb = line.indexOf(']', lb);
                if (lb > 0 && rb > lb) {
                    line = line.substring(0, lb + 1) + time + line.substring(rb);
                }
                sb.append(line).append(' ').append(withLatencies ? latencies(r, i) : "0.0" + r.nextInt(100)).append('\n');
                out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            } else {
                int status = r.nextInt(1000) < 960 ? 200 : r.nextBoolean() ? 204 : 404;
                sb.append("10.").append(r.nextInt(256)).append('.').append(r.nextInt(256)).append('.').append(r.nextInt(256))
                        .append(" - - [").append(time).append("] \"GET /t?ev=").append(EVENTS[r.nextInt(EVENTS.length)])
                        .append("&ad=").append(r.nextInt(ads)).append("&cb=").append(r.nextInt(1_000_000)).append(" HTTP/1.1\" ")
                        .append(status).append(' ').append(status == 204 ? "-" : Integer.toString(40 + r.nextInt(8)))
                        .append(" \"https://news.example/article/").append(r.nextInt(5000)).append("?utm_source=feed\" \"")
                        .append(AGENTS[r.nextInt(AGENTS.length)]).append("\" ")
                        .append(withLatencies ? latencies(r, i) : "0.00" + r.nextInt(10)).append('\n');
                out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
            }
            i++;
        }
        return out.toByteArray();
    }

    static List<byte[]> realLines() throws IOException {
        List<byte[]> lines = new ArrayList<>();
        loadRealLines(lines);
        // keep the lines that stay valid with a request time appended (a truncated user agent does not)
        io.logbunker.connect.source.window.LineFolder check = new io.logbunker.connect.source.window.LineFolder(FORMAT, List.of("status"));
        lines.removeIf(l -> {
            byte[] withTime = (new String(l, StandardCharsets.ISO_8859_1) + " 0.001").getBytes(StandardCharsets.ISO_8859_1);
            return check.parse(withTime, 0, withTime.length) != null;
        });
        return lines;
    }

    private static void loadRealLines(List<byte[]> lines) throws IOException {
        Path dir = Paths.get(System.getProperty("logbunker.realLogs", "../shared/data/real-logs"));
        if (!Files.isDirectory(dir)) {
            return;
        }
        for (String name : List.of("nielsbasjes_logparser_hackers-access.log", "elastic_examples_apache_logs")) {
            Path f = dir.resolve(name);
            if (Files.exists(f)) {
                split(Files.readAllBytes(f), lines);
            }
        }
        Path gz = dir.resolve("grafana_alloy_long-access.gz");
        if (Files.exists(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                List<byte[]> g = new ArrayList<>();
                split(in.readAllBytes(), g);
                for (byte[] l : g) {
                    // main format: drop the trailing "$http_x_forwarded_for" to make it combined
                    String s = new String(l, StandardCharsets.ISO_8859_1);
                    int cut = s.lastIndexOf(" \"");
                    lines.add((cut > 0 ? s.substring(0, cut) : s).getBytes(StandardCharsets.ISO_8859_1));
                }
            }
        }
    }

    private static void split(byte[] all, List<byte[]> into) {
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                into.add(java.util.Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
    }

    private static final String[] AD_EVENTS = {"impression", "view", "click", "conversion", "install", "skip", "complete"};

    /**
     * The ad-tracking shape of per-ad counters (issue 14): combined-format tracking-pixel lines of about 280 bytes,
     * {@code ads} ad ids, 7 event types drawn uniformly, a handful of statuses (85% 200, 6% 204, 4% 302, 4% 404, 1% 500),
     * 20,000 lines per second of log time. Grouped by status, event and ad in 10 s windows, 5,000 ads give about three
     * lines per (window, group) row. Independent of the real logs, so every machine writes the same bytes.
     */
    public static void writeAdTracking(Path out, long lines, int ads) throws IOException {
        writeAdTracking(out, lines, ads, 20_000);
    }

    /** The same at {@code linesPerSecond} lines per second of log time (the groups per window grow with it). */
    public static void writeAdTracking(Path out, long lines, int ads, int linesPerSecond) throws IOException {
        long start = 1_795_860_000L;
        Random r = new Random(14);
        Files.deleteIfExists(out);
        StringBuilder sb = new StringBuilder(512);
        String time = null;
        long lastSec = -1;
        try (var os = new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            for (long i = 0; i < lines; i++) {
                long sec = start + i / linesPerSecond;
                if (sec != lastSec) {
                    time = TIME_LOCAL.format(Instant.ofEpochSecond(sec));
                    lastSec = sec;
                }
                int p = r.nextInt(100);
                int status = p < 85 ? 200 : p < 91 ? 204 : p < 95 ? 302 : p < 99 ? 404 : 500;
                sb.setLength(0);
                sb.append("10.").append(r.nextInt(256)).append('.').append(r.nextInt(256)).append('.').append(r.nextInt(256))
                        .append(" - - [").append(time).append("] \"GET /t?ev=").append(AD_EVENTS[r.nextInt(AD_EVENTS.length)])
                        .append("&ad=").append(r.nextInt(ads)).append("&cb=").append(r.nextInt(1_000_000)).append(" HTTP/1.1\" ")
                        .append(status).append(' ').append(status == 204 ? "-" : Integer.toString(40 + r.nextInt(8)))
                        .append(" \"https://news.example/article/").append(r.nextInt(5000)).append("?utm_source=feed\" \"")
                        .append(AGENTS[r.nextInt(AGENTS.length)]).append("\" 0.00").append(r.nextInt(10)).append('\n');
                os.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** Usage: Corpus FILE LINES [ADS]: writes the benchmark corpus (ADS distinct ad ids, 200 by default). */
    public static void main(String[] args) throws IOException {
        Path out = Paths.get(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        write(out, Long.parseLong(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 200);
    }

    /** Writes a corpus file of exactly {@code lines} lines, for the end-to-end benchmarks. */
    public static void write(Path out, long lines) throws IOException {
        write(out, lines, 200);
    }

    /** The same with {@code ads} distinct ad ids. */
    public static void write(Path out, long lines, int ads) throws IOException {
        write(out, lines, ads, false);
    }

    /** The same, in {@link #LATENCY_FORMAT} when {@code withLatencies}. */
    public static void write(Path out, long lines, int ads, boolean withLatencies) throws IOException {
        long start = 1_795_860_000L;
        Files.deleteIfExists(out);
        long written = 0;
        try (var os = new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            while (written < lines) {
                byte[] b = build(64L << 20, start + written / 20_000, 20_000, ads, withLatencies);
                int end = 0;
                while (end < b.length && written < lines) {
                    int nl = io.logbunker.connect.source.format.Bytes.indexOf(b, end, b.length, (byte) '\n');
                    end = nl + 1;
                    written++;
                }
                os.write(b, 0, end);
            }
        }
    }

    /** Sleeps until {@code System.nanoTime()} reaches {@code deadline} (a writer's pace); returns at once when past it. */
    static void sleepUntil(long deadline) throws InterruptedException {
        long sleep = deadline - System.nanoTime();
        if (sleep > 0) {
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
    }
}
