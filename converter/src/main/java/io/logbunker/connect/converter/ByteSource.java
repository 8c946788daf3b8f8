package io.logbunker.connect.converter;

import org.apache.kafka.connect.errors.DataException;

import java.nio.charset.StandardCharsets;

/** Reads the encodings of {@link ByteSink} from a byte range; running past its end is a {@link DataException}. */
final class ByteSource {
    final byte[] buf;
    int pos;
    final int end;

    ByteSource(byte[] buf, int pos, int end) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
    }

    private void need(long n) {
        if (n < 0 || n > end - pos) {
            throw new DataException("Truncated or corrupt compact record: needs " + n + " more bytes at byte " + pos + " of " + end);
        }
    }

    int read() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    long readUnsignedVarint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = read();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new DataException("Corrupt compact record: a varint longer than 10 bytes at byte " + pos);
    }

    int readLength() {
        long n = readUnsignedVarint();
        need(n);
        return (int) n;
    }

    long readZigZag() {
        long v = readUnsignedVarint();
        return (v >>> 1) ^ -(v & 1);
    }

    long readFixed(int bytes) {
        need(bytes);
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    byte[] readBytes() {
        int n = readLength();
        byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    String readString() {
        int n = readLength();
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }
}
