package io.logbunker.connect.source.tail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories the worker's operator lets source connectors read, set on the worker, never in a connector config:
 * whoever may create connectors could otherwise point {@code files} at any file the worker can read and, with every
 * line rejected, copy it into the errors topic. Like KIP-993's {@code allowed.paths} for Kafka's file config
 * providers: a comma-separated list of absolute directories in the system property {@value #PROPERTY} or, when that
 * is not set, the environment variable {@value #ENV}. Unset, nothing may be read. {@code /} allows everything.
 *
 * <p>Paths are compared after resolving {@code ..} and symbolic links, so neither a pattern like
 * {@code /var/log/nginx/../../etc/*} nor a link inside an allowed directory that points outside gets through.
 *
 * @param roots the allowed directories, resolved; empty: nothing is allowed
 * @param source where they were read from, for messages
 */
public record AllowedPaths(List<Path> roots, String source) {
    public static final String PROPERTY = "logbunker.allowed.paths";
    public static final String ENV = "LOGBUNKER_ALLOWED_PATHS";

    public AllowedPaths {
        roots = List.copyOf(roots);
    }

    /** What the worker's operator set. */
    public static AllowedPaths fromEnvironment() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null) {
            return parse(prop, "-D" + PROPERTY);
        }
        String env = System.getenv(ENV);
        return parse(env == null ? "" : env, ENV);
    }

    /** Everything: for the engine's own tests and benchmarks, which run without a worker. */
    public static AllowedPaths unrestricted() {
        return new AllowedPaths(List.of(Paths.get("/")), "unrestricted");
    }

    /**
     * @throws IllegalArgumentException when an entry is not an absolute path
     */
    public static AllowedPaths parse(String list, String source) {
        List<Path> roots = new ArrayList<>();
        for (String entry : list.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            Path p = Paths.get(e);
            if (!p.isAbsolute()) {
                throw new IllegalArgumentException(source + " lists '" + e + "', which is not an absolute directory");
            }
            roots.add(resolve(p));
        }
        return new AllowedPaths(roots, source);
    }

    /**
     * The real path of {@code p}: {@code ..} removed and every symbolic link of its existing part resolved (the part
     * that does not exist yet is appended as written, normalized).
     */
    static Path resolve(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            return abs;
        }
    }

    /** Whether the already resolved {@code realPath} lies in an allowed directory. */
    public boolean allows(Path realPath) {
        for (Path root : roots) {
            if (realPath.startsWith(root)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code file} (a path as found) resolves into an allowed directory; false when it cannot be resolved. */
    public boolean allowsFile(Path file) {
        try {
            return allows(file.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Null when the directory a file pattern starts from lies in an allowed directory, otherwise what is wrong and what
     * the operator sets.
     */
    public String checkPattern(String glob, Path base) {
        Path real = resolve(base);
        if (allows(real)) {
            return null;
        }
        if (roots.isEmpty()) {
            return "this Connect worker allows no log directories yet: its operator must list the directories that source "
                    + "connectors may read in the worker's environment, " + ENV + "=/var/log/nginx (or -D" + PROPERTY
                    + "=...; comma-separated absolute directories), and restart it";
        }
        return "'" + glob + "' reads " + real + ", which is outside the directories this Connect worker allows (" + this
                + "); its operator can add a directory to " + ENV + " (or -D" + PROPERTY + ")";
    }

    @Override
    public String toString() {
        return roots.isEmpty() ? "none" : String.join(", ", roots.stream().map(Path::toString).toList()) + " from " + source;
    }

    /** The final component is opened only if it is not a link: it was resolved and checked just before. */
    static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
}
