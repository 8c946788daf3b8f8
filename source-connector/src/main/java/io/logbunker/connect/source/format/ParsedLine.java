package io.logbunker.connect.source.format;

import java.nio.charset.StandardCharsets;

/**
 * The result of splitting one line: for every variable of the format, the byte range it occupies in the
 * caller's buffer. Reused from line to line so the hot path allocates nothing.
 */
public final class ParsedLine {
    final int[] start;
    final int[] end;
    byte[] buf;
    /** Counts parsed lines, so that values derived from a line (its query arguments) are computed once per line. */
    long serial;
    /** $request split once per line: the URI's bounds, or uriStart = -1 when not split yet (-2: no URI). */
    int uriStart = -1;
    int uriEnd;

    ParsedLine(int fields) {
        this.start = new int[fields];
        this.end = new int[fields];
    }

    public byte[] buffer() {
        return buf;
    }

    public int start(int field) {
        return start[field];
    }

    public int end(int field) {
        return end[field];
    }

    public int length(int field) {
        return end[field] - start[field];
    }

    /** True for nginx's and Apache's "no value" marker {@code -} and for an empty field. */
    public boolean isEmpty(int field) {
        int len = end[field] - start[field];
        return len == 0 || (len == 1 && buf[start[field]] == '-');
    }

    /** Allocates; for tests, error messages and emission, not for the per-line path. */
    public String text(int field) {
        return new String(buf, start[field], end[field] - start[field], StandardCharsets.UTF_8);
    }
}
