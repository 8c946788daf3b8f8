package io.logbunker.connect.source.tail;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The decompressed content of a gzip file (a rotation that logrotate compressed), read forward only. Positions are
 * in decompressed bytes, so a file keeps its identity and its offset when {@code access.log.2} becomes
 * {@code access.log.2.gz}. Going back means decompressing again from the start, which the tailer avoids.
 *
 * <p>A stream that ends before its gzip trailer (gzip still writing it, or a copy in progress) is not an error: what
 * it held is valid content, and a later read continues once the file has grown. Bytes that are not gzip data are
 * {@link CorruptException}.
 */
final class GzipContent implements FileContent {
    private static final int BUFFER = 64 * 1024;

    /** The file's bytes are not a valid gzip stream. */
    static final class CorruptException extends IOException {
        CorruptException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final FileChannel channel;
    private InputStream in;
    private CountingInput raw;
    private long position;
    private boolean ended;
    private long sizeWhenStalled = -1;

    GzipContent(FileChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read(byte[] buf, int off, int want, long at) throws IOException {
        if (at != position) {
            throw new IllegalStateException("internal error: compressed content read at " + at + " but positioned at " + position);
        }
        return Math.max(0, readUpTo(buf, off, want));
    }

    @Override
    public boolean hasUnread(long at) {
        try {
            return hasMore();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public long bytesBehind(long at) {
        try {
            return compressedBytesBehind();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public String checkBefore(long at) throws IOException {
        return checkBefore(channel, at);
    }

    @Override
    public boolean compressed() {
        return true;
    }

    /** Whether a file starts with the gzip magic bytes. */
    static boolean isGzip(FileChannel channel) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(2);
        while (magic.hasRemaining() && channel.read(magic, magic.position()) > 0) {
            // fill
        }
        return magic.position() == 2 && (magic.get(0) & 0xff) == 0x1f && (magic.get(1) & 0xff) == 0x8b;
    }

    /** The next decompressed byte to read. */
    long position() {
        return position;
    }

    /** Whether the whole stream, trailer included, has been read. */
    boolean ended() {
        return ended;
    }

    /** Whether more may be read now: not ended, and not stalled at the end of a file that has not grown since. */
    boolean hasMore() throws IOException {
        return !ended && (sizeWhenStalled < 0 || channel.size() != sizeWhenStalled);
    }

    /** Compressed bytes not consumed yet (what the file-bytes-behind metric shows for a compressed file). */
    long compressedBytesBehind() throws IOException {
        return Math.max(0, channel.size() - (raw == null ? 0 : raw.count));
    }

    /**
     * Moves to decompressed byte {@code target}, from the start if it lies behind.
     *
     * @return false when the content ends (for now) before {@code target}
     */
    boolean seek(long target) throws IOException {
        if ((target < position || in == null) && !reopen()) {
            return false;
        }
        byte[] skip = new byte[BUFFER];
        while (position < target) {
            int n = read(skip, 0, (int) Math.min(skip.length, target - position));
            if (n <= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads up to {@code len} decompressed bytes.
     *
     * @return the bytes read; 0 when the stream stops short for now (the file is still being written); -1 at its end
     */
    int read(byte[] b, int off, int len) throws IOException {
        if (ended) {
            return -1;
        }
        if (sizeWhenStalled >= 0) {
            if (channel.size() == sizeWhenStalled) {
                return 0;
            }
            long resume = position;
            sizeWhenStalled = -1;
            if (!reopen() || !seek(resume)) {
                return 0;
            }
        }
        if (in == null && !reopen()) {
            return 0;
        }
        try {
            int n = in.read(b, off, len);
            if (n < 0) {
                ended = true;
                in.close(); // frees the inflater; the channel stays the registry's
                in = null;
                return -1;
            }
            position += n;
            return n;
        } catch (EOFException e) {
            sizeWhenStalled = channel.size(); // truncated: its state is lost, so the next read starts over at position
            in = null;
            return 0;
        } catch (ZipException e) {
            throw new CorruptException("not a valid gzip stream at decompressed byte " + position + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads until {@code len} bytes are there, the stream stalls or it ends.
     *
     * @return the bytes read; 0 when it stalled at once; -1 when it ended at once
     */
    int readUpTo(byte[] b, int off, int len) throws IOException {
        int n = 0;
        while (n < len) {
            int r = read(b, off + n, len - n);
            if (r <= 0) {
                return n > 0 ? n : r;
            }
            n += r;
        }
        return n;
    }

    /** The check of the up to 64 decompressed bytes before {@code target}, read from a stream of its own. */
    static String checkBefore(FileChannel channel, long target) throws IOException {
        if (target <= 0) {
            return "";
        }
        GzipContent g = new GzipContent(channel);
        int n = (int) Math.min(Fingerprints.CHECK_BYTES, target);
        byte[] b = new byte[n];
        if (!g.seek(target - n) || g.readUpTo(b, 0, n) != n) {
            return null;
        }
        return Fingerprints.checkOf(b, 0, n);
    }

    /** The first up to {@code max} decompressed bytes, from a stream of their own; fewer when the content is shorter. */
    static byte[] head(FileChannel channel, int max) throws IOException {
        GzipContent g = new GzipContent(channel);
        byte[] out = new byte[max];
        int n = 0;
        while (n < max) {
            int r = g.read(out, n, max - n);
            if (r <= 0) {
                break;
            }
            n += r;
        }
        return n == max ? out : java.util.Arrays.copyOf(out, n);
    }

    /** Starts over at decompressed byte 0; false when not even the gzip header is complete yet. */
    private boolean reopen() throws IOException {
        raw = new CountingInput(channel);
        position = 0;
        ended = false;
        try {
            in = new GZIPInputStream(new BufferedInputStream(raw, BUFFER), BUFFER);
            return true;
        } catch (EOFException e) {
            in = null;
            sizeWhenStalled = channel.size();
            return false;
        } catch (ZipException e) {
            throw new CorruptException("not a gzip stream: " + e.getMessage(), e);
        }
    }

    /** Positional reads of the channel from byte 0, counted; the channel's own position is never used. */
    private static final class CountingInput extends InputStream {
        private final FileChannel channel;
        private long count;

        CountingInput(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = channel.read(ByteBuffer.wrap(b, off, len), count);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
