package io.logbunker.connect.sink.engine;

/** A record that cannot become a row; the message says what is wrong and what to do. */
public final class RecordMappingException extends RuntimeException {
    public RecordMappingException(String message) {
        super(message);
    }
}
