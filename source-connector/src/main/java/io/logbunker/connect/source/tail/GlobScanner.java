package io.logbunker.connect.source.tail;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Expands absolute glob patterns ({@code /var/log/nginx/access.log*}, {@code /logs/**}{@code /*.log}) into the
 * regular files they match now. Only the directories below each pattern's fixed prefix are walked.
 */
public final class GlobScanner {

    private record Pattern(String glob, Path base, int depth, PathMatcher matcher) {
    }

    private final List<Pattern> includes = new ArrayList<>();
    private final List<PathMatcher> excludes = new ArrayList<>();

    public GlobScanner(List<String> includeGlobs, List<String> excludeGlobs) {
        for (String glob : includeGlobs) {
            includes.add(compile(glob));
        }
        for (String glob : excludeGlobs) {
            validateSyntax(glob);
            // an exclude without a slash applies to the file name, like *.gz
            excludes.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
    }

    /**
     * Checks one include pattern and returns the directory it starts from (its part before the first wildcard).
     *
     * @throws IllegalArgumentException with the reason
     */
    public static Path validateInclude(String glob) {
        return compile(glob).base;
    }

    private static void validateSyntax(String glob) {
        try {
            FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + glob + "' is not a valid glob: " + e.getMessage());
        }
    }

    private static Pattern compile(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("an empty file pattern");
        }
        validateSyntax(glob);
        Path asPath;
        try {
            asPath = Paths.get(glob.replaceAll("[*?\\[\\]{}]", "_"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + glob + "' is not a valid path pattern: " + e.getMessage());
        }
        if (!asPath.isAbsolute()) {
            throw new IllegalArgumentException("'" + glob + "' is not absolute; file patterns must start with /");
        }
        String[] parts = glob.split("/");
        StringBuilder base = new StringBuilder();
        int fixed = 0;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].matches(".*[*?\\[{].*")) {
                break;
            }
            base.append('/').append(parts[i]);
            fixed = i;
        }
        int remaining = parts.length - 1 - fixed;
        if (remaining == 0) {
            // a plain file path: its directory is the base
            Path file = Paths.get(glob);
            Path dir = file.getParent() == null ? Paths.get("/") : file.getParent();
            return new Pattern(glob, dir, 1, FileSystems.getDefault().getPathMatcher("glob:" + escape(glob)));
        }
        int depth = glob.contains("**") ? Integer.MAX_VALUE : remaining;
        Path basePath = base.length() == 0 ? Paths.get("/") : Paths.get(base.toString());
        return new Pattern(glob, basePath, depth, FileSystems.getDefault().getPathMatcher("glob:" + glob));
    }

    private static String escape(String literalPath) {
        return literalPath.replaceAll("([*?\\[\\]{}\\\\])", "\\\\$1");
    }

    /**
     * The matching regular files, with their attributes (a symbolic link's are its target's), in path order. A
     * missing base directory is not an error (logs may appear later), nor is a file that vanishes during the walk.
     * Each entry is stat'ed once, by the walk itself: with 1,000 tailed files the scan once a second was the largest
     * part of their idle cost while it stat'ed every file three times (walk, regular-file test, the tailer's look).
     *
     * @throws IOException when a directory to walk exists but cannot be read: the task cannot do its job
     */
    public Map<Path, BasicFileAttributes> scan() throws IOException {
        Map<Path, BasicFileAttributes> found = new TreeMap<>(); // sorted: which of two look-alike files wins is reproducible
        for (Pattern p : includes) {
            if (!Files.isDirectory(p.base)) {
                continue;
            }
            if (!Files.isReadable(p.base) || !Files.isExecutable(p.base)) {
                throw new AccessDeniedException(p.base.toString(), null,
                        "the directory of file pattern '" + p.glob + "' is not readable by the Connect worker's user");
            }
            Files.walkFileTree(p.base, EnumSet.noneOf(FileVisitOption.class), p.depth, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (p.matcher.matches(file) && !excluded(file)) {
                        BasicFileAttributes a = attrs;
                        if (attrs.isSymbolicLink()) {
                            try {
                                a = Files.readAttributes(file, BasicFileAttributes.class);
                            } catch (NoSuchFileException e) {
                                return FileVisitResult.CONTINUE; // a dangling link
                            }
                        }
                        if (a.isRegularFile()) {
                            found.put(file, a);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // gone during the walk (rotation); the next scan sees the new state
                    }
                    throw e;
                }
            });
        }
        return found;
    }

    private boolean excluded(Path path) {
        Path name = path.getFileName();
        for (PathMatcher m : excludes) {
            if (m.matches(path) || (name != null && m.matches(name))) {
                return true;
            }
        }
        return false;
    }
}
