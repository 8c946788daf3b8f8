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
    /** Per literal segment of up to 8 bytes: its bytes as a little-endian word and the mask of its length. */
    private final long[] literalWord;
    private final long[] literalMask;

    public LineParser(LogFormat format) {
        this.format = format;
        this.segments = format.segments().toArray(new LogFormat.Segment[0]);
        this.literalMismatch = new String[segments.length];
        this.variableUnterminated = new String[segments.length];
        this.literalWord = new long[segments.length];
        this.literalMask = new long[segments.length];
        for (int i = 0; i < segments.length; i++) {
            LogFormat.Segment s = segments[i];
            if (s.isLiteral() && s.literal.length <= 8) {
                for (int k = s.literal.length - 1; k >= 0; k--) {
                    literalWord[i] = literalWord[i] << 8 | (s.literal[k] & 0xffL);
                }
                literalMask[i] = s.literal.length == 8 ? -1L : (1L << (8 * s.literal.length)) - 1;
            }
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
        out.serial++;
        out.uriStart = -1;
        int pos = off;
        LogFormat.Segment[] segs = segments;
        for (int i = 0; i < segs.length; i++) {
            LogFormat.Segment seg = segs[i];
            if (seg.literal != null) {
                if (!matches(buf, pos, end, seg.literal, literalWord[i], literalMask[i])) {
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
                stop = end - next.length >= pos && matches(buf, end - next.length, end, next, literalWord[i + 1], literalMask[i + 1])
                        ? end - next.length : -1;
            } else if (seg.quoted) {
                stop = findClosingQuote(buf, pos, end, next, literalWord[i + 1], literalMask[i + 1]);
            } else {
                stop = find(buf, pos, end, next, literalWord[i + 1], literalMask[i + 1]);
            }
            if (stop < 0) {
                if (seg.quoted && i + 2 == segs.length && next.length == 1
                        && findClosingQuote(buf, pos, end, next, literalWord[i + 1], literalMask[i + 1]) < 0) {
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

    /**
     * Whether {@code literal} is at {@code buf[pos]} within {@code end}. A literal of up to 8 bytes ({@code mask != 0})
     * is one masked word compare whenever eight bytes can be read there.
     */
    private static boolean matches(byte[] buf, int pos, int end, byte[] literal, long word, long mask) {
        int n = literal.length;
        if (end - pos < n) {
            return false;
        }
        if (mask != 0 && pos + 8 <= buf.length) {
            return ((Bytes.getLong(buf, pos) ^ word) & mask) == 0;
        }
        for (int k = 0; k < n; k++) {
            if (buf[pos + k] != literal[k]) {
                return false;
            }
        }
        return true;
    }

    private static int find(byte[] buf, int from, int end, byte[] literal, long word, long mask) {
        byte first = literal[0];
        int last = end - literal.length;
        int p = from;
        while (p <= last) {
            p = Bytes.indexOf(buf, p, last + 1, first);
            if (p < 0) {
                return -1;
            }
            if (matches(buf, p, end, literal, word, mask)) {
                return p;
            }
            p++;
        }
        return -1;
    }

    /**
     * Finds {@code literal} (which starts with a quote) where that quote is not backslash-escaped. The search looks
     * for quotes only: a quote is escaped when an odd run of backslashes (within the field) precedes it, which is
     * what reading {@code \"} and {@code \\} escapes from the left decides, at half the cost per word.
     */
    private static int findClosingQuote(byte[] buf, int from, int end, byte[] literal, long word, long mask) {
        int last = end - literal.length;
        int p = from;
        while (p <= last) {
            p = Bytes.indexOf(buf, p, last + 1, (byte) '"');
            if (p < 0) {
                return -1;
            }
            if (!(p > from && buf[p - 1] == '\\' && escaped(buf, from, p)) && matches(buf, p, end, literal, word, mask)) {
                return p;
            }
            p++;
        }
        return -1;
    }

    /** Whether the quote at {@code p} follows an odd number of backslashes that start at or after {@code from}. */
    private static boolean escaped(byte[] buf, int from, int p) {
        int k = p - 1;
        while (k >= from && buf[k] == '\\') {
            k--;
        }
        return ((p - 1 - k) & 1) == 1;
    }
}
