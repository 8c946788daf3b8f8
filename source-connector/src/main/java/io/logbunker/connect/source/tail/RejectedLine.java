package io.logbunker.connect.source.tail;

/**
 * A complete line that is not counted in any aggregate, with where it was and why.
 *
 * @param offset where the line starts in the file
 * @param bytes  the line's own first bytes, without its line end (all of them unless it is cut, see {@link LineRule})
 * @param length the line's length in bytes, without its {@code \n}
 */
public record RejectedLine(long offset, String reason, byte[] bytes, long length) {
}
