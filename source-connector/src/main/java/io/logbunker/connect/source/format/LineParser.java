package io.logbunker.connect.source.format;

import java.nio.charset.StandardCharsets;

/**
 * Splits a line into the variables of a compiled {@link LogFormat}, at byte level: no regex, no String per
 * field. Each variable ends where the next literal of the format begins; a variable written between double
 * quotes ends at the first quote that is not escaped with a backslash (Apache writes {@code \"}, nginx writes
 * {@code \x22}), so quoted fields may contain spaces and the next literal's bytes.
 *
 * <p>One leniency, because real logs have it: when the format ends with a quoted variable and the line ends
 * before its closing quote (a client sent a truncated header), the field extends to the end of the line.
 */
public final class LineParser {

    private final LogFormat format;
    private final LogFormat.Segment[] segments;
    private final String[] literalMismatch;
    private final String[] variableUnterminated;

    public LineParser(LogFormat format) {
        this.format = format;
        this.segments = format.segments().toArray(new LogFormat.Segment[0]);
        this.literalMismatch = new String[segments.length];
        this.variableUnterminated = new String[segments.length];
        for (int i = 0; i < segments.length; i++) {
            LogFormat.Segment s = segments[i];
            if (s.isLiteral()) {
                literalMismatch[i] = "expected '" + new String(s.literal, StandardCharsets.UTF_8) + "'"
                        + (i > 0 ? " after $" + segments[i - 1].variable : " at the start of the line");
            } else if (i + 1 < segments.length) {
                variableUnterminated[i] = "$" + s.variable + " is not followed by '"
                        + new String(segments[i + 1].literal, StandardCharsets.UTF_8) + "'";
            }
        }
    }

    public LogFormat format() {
        return format;
    }

    public ParsedLine newParsedLine() {
        return new ParsedLine(format.fieldNames().size());
    }

    /**
     * Splits {@code buf[off, off + len)} (the line without its {@code \n}; a trailing {@code \r} is ignored).
     *
     * @return null when the line matches the format, otherwise the reason it does not
     */
    public String parse(byte[] buf, int off, int len, ParsedLine out) {
        int end = off + len;
        if (end > off && buf[end - 1] == '\r') {
            end--;
        }
        out.buf = buf;
        int pos = off;
        LogFormat.Segment[] segs = segments;
        for (int i = 0; i < segs.length; i++) {
            LogFormat.Segment seg = segs[i];
            if (seg.literal != null) {
                if (!matches(buf, pos, end, seg.literal)) {
                    // the final closing quote may be missing on a truncated last field
                    if (i == segs.length - 1 && pos == end && seg.literal.length == 1 && seg.literal[0] == '"'
                            && i > 0 && segs[i - 1].quoted) {
                        return null;
                    }
                    return literalMismatch[i];
                }
                pos += seg.literal.length;
                continue;
            }
            int f = seg.fieldIndex;
            out.start[f] = pos;
            if (i + 1 == segs.length) {
                out.end[f] = end;
                pos = end;
                continue;
            }
            byte[] next = segs[i + 1].literal;
            int stop;
            if (i + 2 == segs.length) {
                // the next literal closes the line: anchor it at the end, so the field may contain its bytes
                stop = end - next.length >= pos && matches(buf, end - next.length, end, next) ? end - next.length : -1;
            } else {
                stop = seg.quoted ? findClosingQuote(buf, pos, end, next) : find(buf, pos, end, next);
            }
            if (stop < 0) {
                if (seg.quoted && i + 2 == segs.length && next.length == 1 && findClosingQuote(buf, pos, end, next) < 0) {
                    out.end[f] = end; // unterminated final quoted field
                    pos = end;
                    continue;
                }
                return variableUnterminated[i];
            }
            out.end[f] = stop;
            pos = stop;
        }
        if (pos != end) {
            return "unexpected bytes after the last field of the format";
        }
        return null;
    }

    private static boolean matches(byte[] buf, int pos, int end, byte[] literal) {
        if (end - pos < literal.length) {
            return false;
        }
        for (int k = 0; k < literal.length; k++) {
            if (buf[pos + k] != literal[k]) {
                return false;
            }
        }
        return true;
    }

    private static int find(byte[] buf, int from, int end, byte[] literal) {
        byte first = literal[0];
        int last = end - literal.length;
        int p = from;
        while (p <= last) {
            p = Bytes.indexOf(buf, p, last + 1, first);
            if (p < 0) {
                return -1;
            }
            if (matches(buf, p, end, literal)) {
                return p;
            }
            p++;
        }
        return -1;
    }

    /** Finds {@code literal} (which starts with a quote) where that quote is not backslash-escaped. */
    private static int findClosingQuote(byte[] buf, int from, int end, byte[] literal) {
        int last = end - literal.length;
        int p = from;
        while (p <= last) {
            p = Bytes.indexOfEither(buf, p, last + 1, (byte) '"', (byte) '\\');
            if (p < 0) {
                return -1;
            }
            if (buf[p] == '\\') {
                p += 2; // skip the escaped byte (\" or \\)
                continue;
            }
            if (matches(buf, p, end, literal)) {
                return p;
            }
            p++;
        }
        return -1;
    }
}
