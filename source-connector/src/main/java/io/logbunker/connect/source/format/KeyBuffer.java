package io.logbunker.connect.source.format;

import java.util.Arrays;

/**
 * A growable byte buffer that collects the group-by values of one line as length-prefixed byte runs,
 * reused for every line. Length prefixes keep {@code ("a b", "c")} and {@code ("a", "b c")} distinct.
 */
public final class KeyBuffer {
    private byte[] bytes = new byte[256];
    private int length;

    public void clear() {
        length = 0;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return length;
    }

    /** Starts a value; returns the position of its length prefix, for {@link #endValue}. */
    public int beginValue() {
        ensure(4);
        int at = length;
        length += 4;
        return at;
    }

    public void endValue(int prefixAt) {
        int len = length - prefixAt - 4;
        if (len == 0) {
            append((byte) '-'); // an empty value is stored as nginx's "-": keys are never empty or null
            len = 1;
        }
        bytes[prefixAt] = (byte) (len >>> 24);
        bytes[prefixAt + 1] = (byte) (len >>> 16);
        bytes[prefixAt + 2] = (byte) (len >>> 8);
        bytes[prefixAt + 3] = (byte) len;
    }

    public void append(byte b) {
        ensure(1);
        bytes[length++] = b;
    }

    public void append(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, bytes, length, len);
        length += len;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
