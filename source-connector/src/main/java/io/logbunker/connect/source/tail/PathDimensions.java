package io.logbunker.connect.source.tail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Key fields taken from a file's path: the named groups of a regular expression ({@code path.dimensions}), found in
 * the absolute path of a file when the task first opens its identity, e.g. {@code ^/mnt/logs/(?<host>[^/]+)/} gives
 * every row of {@code /mnt/logs/web-07/access.log} the key field {@code host = web-07}. The values stay with the
 * identity: a rotated file keeps them. A path the expression does not match gets {@code -} for each (as a log field
 * without a value).
 */
public final class PathDimensions {
    /** Java's named groups: a letter, then letters and digits; lookbehinds ({@code (?<=}, {@code (?<!}) are not groups. */
    private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    public static final PathDimensions NONE = new PathDimensions(null, List.of());

    private final Pattern pattern;
    private final List<String> names;

    private PathDimensions(Pattern pattern, List<String> names) {
        this.pattern = pattern;
        this.names = names;
    }

    /**
     * Parses the setting; empty means none.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static PathDimensions parse(String regex) {
        if (regex == null || regex.isBlank()) {
            return NONE;
        }
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
        List<String> names = new ArrayList<>();
        Matcher m = NAMED_GROUP.matcher(regex);
        while (m.find()) {
            if (m.start() > 0 && regex.charAt(m.start() - 1) == '\\') {
                continue; // an escaped parenthesis
            }
            String name = m.group(1);
            if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("the group name '" + name + "' becomes a column name: use lower case letters "
                        + "and digits");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("it has no named group: name each part of the path that becomes a key field, "
                    + "e.g. ^/mnt/logs/(?<host>[^/]+)/");
        }
        return new PathDimensions(p, List.copyOf(names));
    }

    /** The key fields, in the expression's order. */
    public List<String> names() {
        return names;
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** The values of {@code path}, one per name; {@code -} for each when the expression does not match it. */
    public List<String> valuesOf(Path path) {
        if (names.isEmpty()) {
            return List.of();
        }
        Matcher m = pattern.matcher(path.toAbsolutePath().toString());
        List<String> values = new ArrayList<>(names.size());
        boolean found = m.find();
        for (String name : names) {
            String v = found ? m.group(name) : null;
            values.add(v == null || v.isEmpty() ? "-" : v);
        }
        return List.copyOf(values);
    }

    /** Whether the expression matches {@code path} (a file that does not gets {@code -} values). */
    public boolean matches(Path path) {
        return names.isEmpty() || pattern.matcher(path.toAbsolutePath().toString()).find();
    }
}
