package io.logbunker.connect.source.tail;

/**
 * Where a window-close flush point may cut a file's open range so that the newest window's groups stay open: at the
 * first line of the newest window, provided every line folded from there on is of that window. Then the range
 * before the cut holds every line of the closing windows and none of the newest, and the newest window's groups go
 * out once, when it closes, instead of as a partial now and another then. Whether no older line came after the cut
 * (a late line) is checked at the flush: the lines folded since the cut must equal the requests of the newest
 * window's open groups.
 */
final class CutPoint {
    private final long windowSizeMs;
    private long newestWindow = Long.MIN_VALUE;
    /** The end of the newest window; a line at or after it opens a newer one. */
    private long newestEnd = Long.MIN_VALUE;
    private long firstLine = -1;
    private long linesSince;
    /** Every line folded through this point (for a parse thread's piece: its lines, merged in file order). */
    private long lines;
    /** The check of the bytes before {@link #firstLine}, when the bytes were at hand; null to read it back. */
    private String check;

    CutPoint(long windowSizeMs) {
        this.windowSizeMs = windowSizeMs;
    }

    /**
     * One folded line of event time {@code eventTimeMs} starting at {@code lineStart}; true when it opened a newer
     * window, so the caller can record the check of the bytes before it with {@link #check(String)}.
     */
    boolean folded(long eventTimeMs, long lineStart) {
        lines++;
        if (eventTimeMs >= newestEnd) {
            newestWindow = Math.floorDiv(eventTimeMs, windowSizeMs) * windowSizeMs;
            newestEnd = newestWindow + windowSizeMs;
            firstLine = lineStart;
            linesSince = 1;
            check = null;
            return true;
        }
        linesSince++;
        return false;
    }

    /**
     * Adds the lines a parse thread folded into {@code piece}, which come after every line folded here so far (pieces
     * are merged in file order): a newer window in it moves the cut to its first line, otherwise its lines are all
     * after the cut.
     */
    void merge(CutPoint piece) {
        if (piece.lines == 0) {
            return;
        }
        lines += piece.lines;
        if (piece.newestWindow > newestWindow) {
            newestWindow = piece.newestWindow;
            newestEnd = piece.newestEnd;
            firstLine = piece.firstLine;
            linesSince = piece.linesSince;
            check = null;
        } else {
            linesSince += piece.lines;
        }
    }

    void check(String check) {
        this.check = check;
    }

    String check() {
        return check;
    }

    long newestWindow() {
        return newestWindow;
    }

    long firstLine() {
        return firstLine;
    }

    long linesSince() {
        return linesSince;
    }
}
