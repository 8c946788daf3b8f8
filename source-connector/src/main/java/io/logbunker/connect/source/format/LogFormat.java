package io.logbunker.connect.source.format;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An nginx {@code log_format} string compiled once into a sequence of literal and variable segments.
 *
 * <p>Variables are {@code $name} or {@code ${name}}; a field is named after the variable without {@code $}.
 * Two variables must be separated by at least one literal byte, otherwise a line could not be split
 * without guessing, and the format is refused.
 */
public final class LogFormat {

    /** nginx's and Apache's predefined formats, by the name users know them by. */
    public static final Map<String, String> PRESETS;

    static {
        Map<String, String> presets = new LinkedHashMap<>();
        presets.put("common", "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent");
        presets.put("combined", presets.get("common") + " \"$http_referer\" \"$http_user_agent\"");
        presets.put("main", presets.get("combined") + " \"$http_x_forwarded_for\"");
        PRESETS = Collections.unmodifiableMap(presets);
    }

    /** One piece of the format: either literal bytes or a variable. */
    public static final class Segment {
        final byte[] literal;      // non-null for literal segments
        final String variable;     // non-null for variable segments
        final int fieldIndex;      // index into ParsedLine slices, for variables
        final boolean quoted;      // variable directly enclosed in double quotes

        private Segment(byte[] literal, String variable, int fieldIndex, boolean quoted) {
            this.literal = literal;
            this.variable = variable;
            this.fieldIndex = fieldIndex;
            this.quoted = quoted;
        }

        public boolean isLiteral() {
            return literal != null;
        }

        public String variable() {
            return variable;
        }

        @Override
        public String toString() {
            return isLiteral() ? "'" + new String(literal, StandardCharsets.ISO_8859_1) + "'" : "$" + variable;
        }
    }

    private final String source;
    private final List<Segment> segments;
    private final List<String> fieldNames;

    private LogFormat(String source, List<Segment> segments, List<String> fieldNames) {
        this.source = source;
        this.segments = segments;
        this.fieldNames = fieldNames;
    }

    /**
     * Compiles a preset name ({@code combined}, {@code common}, {@code main}) or an nginx {@code log_format} string.
     *
     * @throws IllegalArgumentException with a message that says what is wrong and where
     */
    public static LogFormat compile(String formatOrPreset) {
        if (formatOrPreset == null || formatOrPreset.isBlank()) {
            throw new IllegalArgumentException("log.format is empty; use a preset (" + String.join(", ", PRESETS.keySet())
                    + ") or an nginx log_format string");
        }
        String preset = PRESETS.get(formatOrPreset.trim().toLowerCase(Locale.ROOT));
        String format = preset != null ? preset : formatOrPreset;
        if (preset == null && format.indexOf('$') < 0) {
            throw new IllegalArgumentException("log.format '" + format + "' is neither a preset (" + String.join(", ", PRESETS.keySet())
                    + ") nor an nginx log_format string with $variables");
        }

        List<Segment> segments = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            int start;
            int end;
            int next;
            if (i + 1 < format.length() && format.charAt(i + 1) == '{') {
                start = i + 2;
                end = format.indexOf('}', start);
                if (end < 0) {
                    throw new IllegalArgumentException("log.format: unclosed '${' at column " + (i + 1));
                }
                next = end + 1;
            } else {
                start = i + 1;
                end = start;
                while (end < format.length() && isNameChar(format.charAt(end))) {
                    end++;
                }
                next = end;
            }
            String name = format.substring(start, end);
            if (name.isEmpty() || !name.chars().allMatch(ch -> isNameChar((char) ch))) {
                throw new IllegalArgumentException("log.format: '$' at column " + (i + 1) + " is not followed by a variable name");
            }
            if (literal.length() > 0) {
                segments.add(new Segment(literal.toString().getBytes(StandardCharsets.UTF_8), null, -1, false));
                literal.setLength(0);
            } else if (!segments.isEmpty() && !segments.get(segments.size() - 1).isLiteral()) {
                throw new IllegalArgumentException("log.format: $" + segments.get(segments.size() - 1).variable + " and $" + name
                        + " have nothing between them, so a line cannot be split between them");
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException("log.format: $" + name + " appears twice");
            }
            boolean quoted = endsWithQuote(segments) && next < format.length() && format.charAt(next) == '"';
            segments.add(new Segment(null, name, names.size(), quoted));
            names.add(name);
            i = next;
        }
        if (literal.length() > 0) {
            segments.add(new Segment(literal.toString().getBytes(StandardCharsets.UTF_8), null, -1, false));
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("log.format has no $variables");
        }
        return new LogFormat(format, List.copyOf(segments), List.copyOf(names));
    }

    private static boolean endsWithQuote(List<Segment> segments) {
        if (segments.isEmpty()) {
            return false;
        }
        Segment last = segments.get(segments.size() - 1);
        return last.isLiteral() && last.literal[last.literal.length - 1] == '"';
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    public String source() {
        return source;
    }

    public List<Segment> segments() {
        return segments;
    }

    /** Variable names in format order, without {@code $}. */
    public List<String> fieldNames() {
        return fieldNames;
    }

    /** Index of a variable in {@link #fieldNames()}, or -1. */
    public int indexOf(String variable) {
        return fieldNames.indexOf(variable);
    }

    public boolean has(String variable) {
        return indexOf(variable) >= 0;
    }

    @Override
    public String toString() {
        return source;
    }
}
