package io.logbunker.connect.source.tail;

import java.util.Arrays;

/**
 * What happens to one complete line, whichever path read it (sequential, parallel pieces, or an overlong line skipped
 * across reads): a line longer than {@code max.line.bytes} is rejected unparsed, and of a rejected line only its own
 * bytes are kept as evidence, without the line end ({@code \n}, and a {@code \r} before it), at most
 * {@link #OVERLONG_PREFIX} bytes of an overlong one and at most {@code errors.line.max.bytes} of any.
 */
final class LineRule {
    /** The bytes kept of a line longer than max.line.bytes. */
    static final int OVERLONG_PREFIX = 1024;

    private final int maxLineBytes;
    private final int keptMax;

    /**
     * @param maxLineBytes longest line that is parsed
     * @param keptMax      most bytes kept of a rejected line (errors.line.max.bytes; 0 keeps none)
     */
    LineRule(int maxLineBytes, int keptMax) {
        this.maxLineBytes = maxLineBytes;
        this.keptMax = keptMax;
    }

    int maxLineBytes() {
        return maxLineBytes;
    }

    boolean overlong(long length) {
        return length > maxLineBytes;
    }

    String overlongReason(long length) {
        return "line of " + length + " bytes is longer than max.line.bytes (" + maxLineBytes + ")";
    }

    /** How many bytes a line whose own first bytes are being collected still wants (overlong lines keep a prefix). */
    int prefixWanted(long length) {
        return (int) Math.min(length, Math.min(OVERLONG_PREFIX, keptMax));
    }

    /**
     * The bytes kept of a rejected line of {@code length} bytes (without its {@code \n}) whose first {@code available}
     * bytes are {@code buf[off, off + available)}: a {@code \r} is dropped only where it ends the line.
     */
    byte[] kept(byte[] buf, int off, int available, long length) {
        long limit = Math.min(keptMax, overlong(length) ? OVERLONG_PREFIX : length);
        int n = (int) Math.min(available, limit);
        if (n == length && n > 0 && buf[off + n - 1] == '\r') {
            n--;
        }
        return Arrays.copyOfRange(buf, off, off + n);
    }

    /** A rejected line as it is emitted. */
    RejectedLine reject(long offset, String reason, byte[] buf, int off, int available, long length) {
        return new RejectedLine(offset, reason, kept(buf, off, available, length), length);
    }

    /** The error that stops the task when parse.error.policy=fail. */
    LineRejectedException failure(java.nio.file.Path path, long offset, String reason, byte[] buf, int off, int available) {
        return new LineRejectedException("Line at byte " + offset + " of " + path + " does not match log.format: " + reason
                + ". Line starts with: " + printable(buf, off, Math.min(available, 200)) + ". Fix log.format, or set "
                + "parse.error.policy=skip (with errors.topic) to count and route such lines instead of failing.");
    }

    static String printable(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len + 2).append('"');
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02X", c));
            }
        }
        return sb.append('"').toString();
    }
}
