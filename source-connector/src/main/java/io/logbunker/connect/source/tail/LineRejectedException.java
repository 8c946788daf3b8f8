package io.logbunker.connect.source.tail;

/** Thrown under {@code parse.error.policy=fail}: the message names the file, the byte offset and the line's start. */
public final class LineRejectedException extends RuntimeException {
    public LineRejectedException(String message) {
        super(message);
    }
}
