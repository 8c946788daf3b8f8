package io.logbunker.connect.source.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * File identity and offset checks, from content only (never path or inode), so that a renamed file keeps its
 * offset, a new file starts fresh, and another host reading the same volume resumes in the same place.
 *
 * <ul>
 *   <li>Identity: SHA-256 (first 128 bits, hex) of the file's first whole lines, including their {@code \n}: the
 *       first line, or as many lines as it takes to cover {@link #MIN_IDENTITY_BYTES} bytes when the first line is
 *       shorter (an empty or one-word first line would otherwise give every such rotation the same identity); of the
 *       first {@code maxBytes} bytes when no line ends within them. A file whose identity lines are not complete yet
 *       has no identity and waits; nothing of it is read before.</li>
 *   <li>Check: SHA-256 (first 64 bits) of the up to 64 bytes before an offset. On resume the file must have a
 *       {@code \n} right before the offset and the same check, or the stored offset belongs to another file
 *       with the same first line.</li>
 * </ul>
 */
public final class Fingerprints {
    public static final int CHECK_BYTES = 64;
    /** An identity covers whole lines of at least this many bytes (every real access log line is longer). */
    public static final int MIN_IDENTITY_BYTES = 32;

    private Fingerprints() {
    }

    /** The identity, or null while the first line is incomplete (or the file is empty). */
    public static String identity(FileChannel channel, int maxBytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(maxBytes);
        long pos = 0;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n <= 0) {
                break;
            }
            pos += n;
        }
        return identityOfHead(buf.array(), buf.position(), maxBytes);
    }

    /** The identity of content that starts with {@code a[0, len)} (its first up to maxBytes bytes), or null. */
    public static String identityOfHead(byte[] a, int len, int maxBytes) {
        for (int i = Math.min(MIN_IDENTITY_BYTES, maxBytes) - 1; i < len; i++) {
            if (a[i] == '\n') {
                return hex(a, 0, i + 1, 16);
            }
        }
        return len == maxBytes ? hex(a, 0, len, 16) : null;
    }

    /** The check of the bytes before {@code position} (empty string at position 0). */
    public static String check(FileChannel channel, long position) throws IOException {
        if (position <= 0) {
            return "";
        }
        int n = (int) Math.min(CHECK_BYTES, position);
        byte[] before = new byte[n];
        return readFully(channel, before, n, position - n) ? checkOf(before, 0, n) : null; // null: shorter than position
    }

    /** Reads {@code len} bytes at {@code from} into {@code into}; false when the file ends before. */
    static boolean readFully(FileChannel channel, byte[] into, int len, long from) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(into, 0, len);
        while (b.hasRemaining()) {
            if (channel.read(b, from + b.position()) <= 0) {
                return false;
            }
        }
        return true;
    }

    /** The check of {@code len} bytes that end right before an offset; null when they do not end a line. */
    public static String checkOf(byte[] a, int off, int len) {
        if (len == 0) {
            return "";
        }
        if (a[off + len - 1] != '\n') {
            return null; // an offset never points inside a line
        }
        return hex(a, off, len, 8);
    }

    private static String hex(byte[] a, int off, int len, int bytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(a, off, len);
            byte[] d = sha.digest();
            return HexFormat.of().formatHex(d, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present in the JDK", e);
        }
    }
}
