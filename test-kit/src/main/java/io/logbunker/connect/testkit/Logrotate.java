package io.logbunker.connect.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The real logrotate with Debian's nginx policy (compress, delaycompress) over one log, and nginx's reopen after it. */
public final class Logrotate {
    private final Path conf;
    private final Path state;

    /** Writes a configuration for {@code log} next to it. */
    public Logrotate(Path log) throws IOException {
        this(log, "");
    }

    private Logrotate(Path log, String extra) throws IOException {
        this.conf = log.resolveSibling("logrotate.conf");
        this.state = log.resolveSibling("logrotate.state");
        Files.writeString(conf, log + " {\n    rotate 14\n    compress\n    delaycompress\n    missingok\n" + extra + "}\n");
    }

    /** The same policy with {@code copytruncate}: the log is copied, then truncated in place; the writer keeps its file. */
    public static Logrotate copytruncate(Path log) throws IOException {
        return new Logrotate(log, "    copytruncate\n");
    }

    /** Rotates now (logrotate -f), then lets the writer reopen its file, as nginx does on USR1. */
    public void rotate(LogWriter writer) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(), "-f", "-s", state.toString(), conf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("logrotate failed: " + out);
        }
        writer.reopen();
    }

    private static String command() {
        for (String candidate : List.of("/usr/sbin/logrotate", "/sbin/logrotate", "/usr/bin/logrotate")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("logrotate is not installed: bin/test installs it (apt-get install logrotate)");
    }
}
