package io.logbunker.connect.source.tail;

import java.io.IOException;

/**
 * The bytes of one tracked file as the line reader sees them: a plain file's own bytes, or a compressed file's
 * decompressed content. Positions are in those bytes; offsets, checks and the emission rule never see the difference.
 */
interface FileContent {

    /**
     * Reads up to {@code want} bytes at {@code position} (the next byte not read yet) into {@code buf[off, off + want)}.
     *
     * @return the bytes read; 0 when nothing can be read now; -1 when the content ended for good
     */
    int read(byte[] buf, int off, int want, long position) throws IOException;

    /** Whether there is something to read after {@code position} now. */
    boolean hasUnread(long position);

    /** What the file-bytes-behind metric shows: bytes not read yet (a compressed file: compressed bytes). */
    long bytesBehind(long position);

    /** The check of the bytes before {@code position} read back from the file, or null when they do not end a line. */
    String checkBefore(long position) throws IOException;

    boolean compressed();
}
