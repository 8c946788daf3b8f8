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
        return Math.max(0, got);
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
