package io.logbunker.connect.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A log host on this machine: a process holding its own mount namespace, in which {@link #LOG_DIR} is this host's own
 * directory (a bind mount of {@link #logs}), and its own UTS namespace, whose host name is {@link #name}. Real nginx
 * runs in it and writes {@code /var/log/nginx/access.log}; the real logrotate rotates it there; a Connect worker
 * started with {@link #enter()} as its command prefix sees only this host's files at that path. Closing it kills
 * what it started; the namespace and its mounts go with the last process in it.
 */
final class SimulatedHost implements AutoCloseable {
    static final Path LOG_DIR = Paths.get("/var/log/nginx");
    static final String ADOPTED = "adopted";

    final String name;
    /** This host's log directory as the machine sees it (its volume). */
    final Path logs;
    final int httpPort;
    private final Path root;
    private final Process holder;
    private Process nginx;

    /** Why hosts cannot be simulated here, or empty when they can. */
    static Optional<String> unavailable() {
        try {
            Process p = new ProcessBuilder("unshare", "--mount", "--uts", "--propagation", "private", "--", "sh", "-c",
                    "echo probe > /proc/sys/kernel/hostname && mount -t tmpfs none /mnt && echo ok")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.endsWith("ok")) {
                return Optional.of("mount and UTS namespaces are not available to this user (unshare --mount --uts: " + out + "); "
                        + "the fleet test needs root or CAP_SYS_ADMIN");
            }
            Process n = new ProcessBuilder("nsenter", "--version").redirectErrorStream(true).start();
            n.getInputStream().readAllBytes();
            if (n.waitFor() != 0) {
                return Optional.of("nsenter is not installed (util-linux)");
            }
            return Optional.empty();
        } catch (IOException | InterruptedException e) {
            return Optional.of("unshare/nsenter cannot run: " + e.getMessage());
        }
    }

    SimulatedHost(String name, Path root, int httpPort) throws Exception {
        this.name = name;
        this.root = Files.createDirectories(root);
        this.logs = Files.createDirectories(root.resolve("volume"));
        this.httpPort = httpPort;
        Files.createDirectories(LOG_DIR); // the mount point; every host mounts its own volume over it
        holder = new ProcessBuilder("unshare", "--mount", "--uts", "--propagation", "private", "--", "sh", "-c",
                "echo " + name + " > /proc/sys/kernel/hostname && mount --bind " + logs + " " + LOG_DIR
                        + " && echo ready && exec sleep 100000")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"ready".equals(line)) {
            holder.destroyForcibly();
            throw new IllegalStateException("host " + name + " could not be set up: " + line);
        }
    }

    /** The command prefix that runs a command inside this host: its mount and UTS namespaces. */
    List<String> enter() {
        return List.of("nsenter", "-t", Long.toString(holder.pid()), "-m", "-u", "--");
    }

    /** Runs a command inside this host and waits for it; fails with its output when it fails. */
    String run(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(enter());
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("on " + name + ", " + String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Starts nginx in this host, logging every request to /var/log/nginx/access.log in the combined format. */
    void startNginx() throws Exception {
        for (String t : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(root.resolve("tmp").resolve(t));
        }
        String conf = "user root;\nworker_processes 1;\npid " + root.resolve("nginx.pid") + ";\nerror_log " + root.resolve("error.log") + ";\n"
                + "events { worker_connections 256; }\n"
                + "http {\n"
                + "  access_log " + LOG_DIR.resolve("access.log") + " combined;\n"
                + "  client_body_temp_path " + root.resolve("tmp/client_body") + "; proxy_temp_path " + root.resolve("tmp/proxy") + ";\n"
                + "  fastcgi_temp_path " + root.resolve("tmp/fastcgi") + "; uwsgi_temp_path " + root.resolve("tmp/uwsgi") + ";\n"
                + "  scgi_temp_path " + root.resolve("tmp/scgi") + ";\n"
                + "  server { listen 127.0.0.1:" + httpPort + ";\n"
                + "    location / { return 200 'ok'; }\n"
                + "    location /missing { return 404; }\n"
                + "    location /moved { return 301 /; }\n"
                + "    location /broken { return 503; }\n"
                + "  }\n"
                + "}\n";
        Path confFile = root.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        List<String> cmd = new ArrayList<>(enter());
        cmd.addAll(List.of("/usr/sbin/nginx", "-p", root.toString(), "-c", confFile.toString(), "-g", "daemon off;"));
        nginx = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(root.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", httpPort)) {
                return;
            } catch (IOException notYet) {
                if (!nginx.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nginx did not start on " + name + ": " + Files.readString(root.resolve("nginx.out")));
    }

    /** Stops nginx (SIGTERM: it exits at once, having written every line it logged). */
    void stopNginx() throws InterruptedException {
        if (nginx != null && nginx.isAlive()) {
            nginx.destroy();
            nginx.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The real logrotate, Debian's nginx policy (compress, delaycompress), then nginx reopens its log (USR1). */
    void rotate() throws Exception {
        Path conf = root.resolve("logrotate.conf");
        Files.writeString(conf, LOG_DIR.resolve("access.log") + " {\n    rotate 14\n    compress\n    delaycompress\n    missingok\n"
                + "    postrotate\n        kill -USR1 $(cat " + root.resolve("nginx.pid") + ")\n    endscript\n}\n");
        run("/usr/sbin/logrotate", "-f", "-s", root.resolve("logrotate.state").toString(), conf.toString());
    }

    /**
     * Attaches a dead host's volume to this host at /var/log/nginx/adopted/&lt;its name&gt;, as an operator mounts the
     * disk of a failed machine on a survivor.
     */
    void attach(SimulatedHost other) throws Exception {
        Path mountPoint = Files.createDirectories(logs.resolve(ADOPTED).resolve(other.name));
        run("mount", "--bind", other.logs.toString(), LOG_DIR.resolve(ADOPTED).resolve(other.name).toString());
        if (!Files.isDirectory(mountPoint)) {
            throw new IllegalStateException(mountPoint + " is gone");
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopNginx();
        if (nginx != null) {
            nginx.destroyForcibly();
        }
        holder.destroyForcibly();
        holder.waitFor(30, TimeUnit.SECONDS);
    }
}
