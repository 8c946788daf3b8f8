package io.logbunker.connect.source.tail;

import java.util.List;

/**
 * The tailer's settings, free of Connect types so the engine is testable on its own.
 *
 * @param includes          absolute glob patterns of files to tail
 * @param excludes          glob patterns (absolute, or matched against the file name) to skip
 * @param taskIndex         this task's index; a file belongs to the task {@code hash(identity) mod taskCount}
 * @param startAtEnd        files with no stored offset start at their last complete line instead of at 0
 * @param parseThreads      threads that parse one file's backlog in parallel (1: the task thread only)
 * @param parallelMinBytes  a read must hold at least this many bytes of complete lines to be split over threads
 */
public record TailerSettings(List<String> includes, List<String> excludes, int taskIndex, int taskCount, boolean startAtEnd,
                             int maxLineBytes, int fingerprintBytes, long windowSizeMs, long windowGraceMs, long flushIdleMs,
                             long flushMaxIntervalMs, int maxOpenGroups, long scanIntervalMs, long releaseIdleMs,
                             int readChunkBytes, List<String> groupBy, String logFormat, boolean failOnParseError,
                             int parseThreads, int parallelMinBytes) {
}
