package io.logbunker.connect.source.tail;

/** A complete line that is not counted in any aggregate, with where it was and why. */
public record RejectedLine(long offset, String reason, byte[] bytes, boolean truncated) {
}
