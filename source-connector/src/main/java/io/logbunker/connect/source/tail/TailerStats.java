package io.logbunker.connect.source.tail;

/**
 * Counters of one tailer, written by the task thread only and read by metric reporters on other threads
 * (hence volatile; single writer, so plain increments are safe).
 */
public final class TailerStats {
    volatile long linesRead;
    volatile long linesRejected;
    volatile long bytesRead;
    volatile long truncations;
    volatile long offsetMismatches;
    volatile long fingerprintConflicts;
    volatile long filesRefused;
    volatile int directoriesFenced;
    volatile long corruptCompressed;
    volatile long linesOverGroupCap;
    volatile long recordsEmitted;
    volatile int filesTracked;
    volatile long bytesBehind;
    volatile int openGroups;
    volatile int openWindows;
    volatile long lastEmittedWindowStart = -1;

    public long linesRead() {
        return linesRead;
    }

    public long linesRejected() {
        return linesRejected;
    }

    public long bytesRead() {
        return bytesRead;
    }

    public long truncations() {
        return truncations;
    }

    public long offsetMismatches() {
        return offsetMismatches;
    }

    public long fingerprintConflicts() {
        return fingerprintConflicts;
    }

    /** Files matched by the patterns that resolve outside the directories the worker allows (a link pointing out). */
    public long filesRefused() {
        return filesRefused;
    }

    /** Directories found whose files.fence.lock another reader holds: not read now. */
    public int directoriesFenced() {
        return directoriesFenced;
    }

    /** Lines counted in a window's __other__ group because the window had group.max.per.window groups already. */
    public long linesOverGroupCap() {
        return linesOverGroupCap;
    }

    /** Compressed files that are not valid gzip (skipped until they change). */
    public long corruptCompressed() {
        return corruptCompressed;
    }

    public long recordsEmitted() {
        return recordsEmitted;
    }

    public int filesTracked() {
        return filesTracked;
    }

    public long bytesBehind() {
        return bytesBehind;
    }

    public int openGroups() {
        return openGroups;
    }

    public int openWindows() {
        return openWindows;
    }

    /** Start (epoch ms) of the newest window emitted, or -1. */
    public long lastEmittedWindowStart() {
        return lastEmittedWindowStart;
    }
}
