package io.logbunker.connect.source.tail;

import java.util.stream.Stream;

/**
 * Read settings that every tailer test runs under: chunk sizes from 4 KiB to the default, max.line.bytes from 256 up,
 * one to three parse threads, with the connector's own parallel threshold for each chunk size, and lines parsed a batch
 * at a time from the first open group on (which the connector does only past thousands). A line rule that holds
 * under one of them must hold under all.
 */
record TailerProfile(String name, int readChunk, int maxLineBytes, int parseThreads, int batchedLookupGroups) {

    TailerProfile(String name, int readChunk, int maxLineBytes, int parseThreads) {
        this(name, readChunk, maxLineBytes, parseThreads, LineBatch.DEFAULT_FROM_GROUPS);
    }

    static Stream<TailerProfile> all() {
        return Stream.of(
                new TailerProfile("4 KiB chunks, 256 B lines, 2 threads", 4096, 256, 2),
                new TailerProfile("4 KiB chunks, 64 KiB lines, 2 threads", 4096, 65_536, 2),
                new TailerProfile("64 KiB chunks, 1 KiB lines, 3 threads", 65_536, 1024, 3),
                new TailerProfile("default 4 MiB chunks and 64 KiB lines, 1 thread", 4 << 20, 65_536, 1),
                new TailerProfile("defaults: 4 MiB chunks, 64 KiB lines, 2 threads", 4 << 20, 65_536, 2),
                new TailerProfile("4 KiB chunks, 256 B lines, 2 threads, lines in batches", 4096, 256, 2, 0),
                new TailerProfile("default 4 MiB chunks and 64 KiB lines, 1 thread, lines in batches", 4 << 20, 65_536, 1, 0));
    }

    int parallelMinBytes() {
        return TailerSettings.parallelMinBytesFor(readChunk);
    }

    @Override
    public String toString() {
        return name;
    }
}
