package io.logbunker.connect.source.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A plain file's bytes, read by position; a large read is split over the parse threads when there are several. */
final class PlainContent implements FileContent {

    /** Reads a span as several positional reads side by side. */
    interface SplitRead {
        int read(FileChannel channel, byte[] buf, int off, int want, long position) throws IOException;
    }

    private final FileChannel channel;
    private final SplitRead split;
    private final int splitMinBytes;
    private long size;
    /**
     * The last bytes read (up to {@link Fingerprints#CHECK_BYTES}), which end at {@code lastReadEnd}: read back before
     * reading on, they show whether the file was rewritten in place since (truncated and grown past the position
     * between two reads, e.g. a copytruncate while the task was paused or blocked on Kafka).
     */
    private final byte[] lastRead = new byte[Fingerprints.CHECK_BYTES];
    private final byte[] readBack = new byte[Fingerprints.CHECK_BYTES];
    private int lastReadLength;
    private long lastReadEnd = -1;
    /** The size when the last bytes read were last found unchanged: an idle file is not read back on every look. */
    private long sizeWhenUnchanged = -1;

    /**
     * @param split         null to read on the calling thread only
     * @param splitMinBytes reads of at least this many bytes are split
     */
    PlainContent(FileChannel channel, SplitRead split, int splitMinBytes) throws IOException {
        this.channel = channel;
        this.split = split;
        this.splitMinBytes = splitMinBytes;
        this.size = channel.size();
    }

    /** The file's size now; smaller than what was read means it was truncated in place. */
    long refreshSize() throws IOException {
        size = channel.size();
        return size;
    }

    @Override
    public int read(byte[] buf, int off, int want, long position) throws IOException {
        int n = (int) Math.min(want, size - position);
        if (n <= 0) {
            return 0;
        }
        int got = split != null && n >= splitMinBytes ? split.read(channel, buf, off, n, position)
                : channel.read(ByteBuffer.wrap(buf, off, n), position);
        if (got <= 0) {
            return 0;
        }
        rememberRead(buf, off, got, position);
        return got;
    }

    private void rememberRead(byte[] buf, int off, int got, long position) {
        int n = Math.min(lastRead.length, got);
        int keep = position == lastReadEnd ? Math.min(lastRead.length - n, lastReadLength) : 0;
        if (keep > 0) {
            System.arraycopy(lastRead, lastReadLength - keep, lastRead, 0, keep);
        }
        System.arraycopy(buf, off + got - n, lastRead, keep, n);
        lastReadLength = keep + n;
        lastReadEnd = position + got;
        sizeWhenUnchanged = size;
    }

    /**
     * Takes the bytes before {@code position}, where reading starts (a stored offset, or the end at start.position=end),
     * as the last bytes read, so that a rewrite before the first read shows too.
     */
    PlainContent startAt(long position) throws IOException {
        int n = (int) Math.min(lastRead.length, position);
        if (n > 0 && Fingerprints.readFully(channel, lastRead, n, position - n)) {
            lastReadLength = n;
            lastReadEnd = position;
            sizeWhenUnchanged = size;
        }
        return this;
    }

    /**
     * Whether the file still holds, right before {@code position}, the bytes this content read there (or started
     * after); true when nothing ends there to compare with. They are read back only when the size changed since they
     * were last found unchanged: a file rewritten to the very same size shows once it grows again.
     */
    boolean unchangedBefore(long position) throws IOException {
        if (position != lastReadEnd || lastReadLength == 0 || size == sizeWhenUnchanged) {
            return true;
        }
        boolean unchanged = Fingerprints.readFully(channel, readBack, lastReadLength, position - lastReadLength)
                && java.util.Arrays.equals(readBack, 0, lastReadLength, lastRead, 0, lastReadLength);
        if (unchanged) {
            sizeWhenUnchanged = size;
        }
        return unchanged;
    }

    @Override
    public boolean hasUnread(long position) {
        return position < size;
    }

    @Override
    public long bytesBehind(long position) {
        return Math.max(0, size - position);
    }

    @Override
    public String checkBefore(long position) throws IOException {
        return Fingerprints.check(channel, position);
    }

    @Override
    public boolean compressed() {
        return false;
    }
}
