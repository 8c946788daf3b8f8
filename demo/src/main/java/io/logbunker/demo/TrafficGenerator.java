package io.logbunker.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends realistic ad-tracking lines to an nginx-style access log at a steady rate, and rotates it like
 * logrotate with nginx's reopen (rename to .1, keep writing briefly, reopen) when it grows past a size.
 */
final class TrafficGenerator implements Runnable {
    static final String FORMAT = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\" $request_time";
    private static final DateTimeFormatter TIME_LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
    private static final String[] EVENTS = {"impression", "impression", "impression", "impression", "click", "view", "conversion"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"};

    private final Path file;
    private final int linesPerSecond;
    private final long rotateBytes;
    private final AtomicLong written = new AtomicLong();
    private final Random random = new Random();
    private volatile boolean running = true;

    TrafficGenerator(Path file, int linesPerSecond, long rotateBytes) {
        this.file = file;
        this.linesPerSecond = linesPerSecond;
        this.rotateBytes = rotateBytes;
    }

    long linesWritten() {
        return written.get();
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            long next = System.nanoTime();
            int perTick = Math.max(1, linesPerSecond / 20);
            while (running) {
                StringBuilder sb = new StringBuilder(perTick * 220);
                String now = TIME_LOCAL.format(ZonedDateTime.now(ZoneOffset.UTC));
                for (int i = 0; i < perTick; i++) {
                    line(sb, now);
                }
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                written.addAndGet(perTick);
                if (Files.size(file) > rotateBytes) {
                    out = rotate(out);
                }
                next += 50_000_000L;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            out.close();
        } catch (IOException e) {
            System.err.println("traffic generator stopped: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private OutputStream rotate(OutputStream out) throws IOException {
        Path one = file.resolveSibling(file.getFileName() + ".1");
        Files.deleteIfExists(one);
        Files.move(file, one);
        out.close();
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void line(StringBuilder sb, String time) {
        int ad = random.nextInt(50);
        String ev = EVENTS[random.nextInt(EVENTS.length)];
        int r = random.nextInt(1000);
        int status = r < 960 ? 200 : r < 975 ? 204 : r < 990 ? 404 : r < 997 ? 302 : 500;
        int bytes = status == 204 ? 0 : 35 + random.nextInt(10);
        sb.append("10.").append(random.nextInt(256)).append('.').append(random.nextInt(256)).append('.').append(random.nextInt(256))
                .append(" - - [").append(time).append("] \"GET /t?ev=").append(ev).append("&ad=").append(ad)
                .append(" HTTP/1.1\" ").append(status).append(' ').append(bytes == 0 ? "-" : Integer.toString(bytes))
                .append(" \"https://news.example/article/").append(random.nextInt(1000)).append("\" \"")
                .append(AGENTS[random.nextInt(AGENTS.length)]).append("\" 0.00").append(random.nextInt(10)).append('\n');
    }
}
