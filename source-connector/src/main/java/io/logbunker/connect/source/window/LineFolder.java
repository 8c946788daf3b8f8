package io.logbunker.connect.source.window;

import io.logbunker.connect.source.format.EventTime;
import io.logbunker.connect.source.format.KeyBuffer;
import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.format.LineParser;
import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.format.ParsedLine;

import java.util.List;

/**
 * The per-line hot path: split a line, check its numbers and time, build its group key, fold it into an
 * aggregator. Reuses its buffers, so a line that joins an existing group allocates nothing. One instance per
 * thread.
 */
public final class LineFolder {
    private final LineParser parser;
    private final LineFields fields;
    private final LineFields.Dimension[] dimensions;
    private final ParsedLine parsed;
    private final KeyBuffer key = new KeyBuffer();
    private long eventTime;
    private long bytesSent;
    private double requestTime;

    public LineFolder(String logFormat, List<String> groupBy) {
        LogFormat format = LogFormat.compile(logFormat);
        this.parser = new LineParser(format);
        this.fields = new LineFields(format);
        this.dimensions = groupBy.stream().map(fields::dimension).toArray(LineFields.Dimension[]::new);
        this.parsed = parser.newParsedLine();
    }

    public LineFields fields() {
        return fields;
    }

    /**
     * Parses {@code buf[off, off + len)} (without its {@code \n}) and prepares its key.
     *
     * @return null when the line can be folded, otherwise why it is rejected
     */
    public String parse(byte[] buf, int off, int len) {
        if (len == 0 || (len == 1 && buf[off] == '\r')) {
            return "empty line";
        }
        String reason = parser.parse(buf, off, len, parsed);
        if (reason != null) {
            return reason;
        }
        eventTime = fields.eventTime(parsed);
        if (eventTime == EventTime.INVALID) {
            return "the time field is not a valid timestamp";
        }
        if (fields.hasStatus() && fields.status(parsed) < 0) {
            return "$status is not a three-digit HTTP status";
        }
        bytesSent = fields.bytesSent(parsed);
        if (bytesSent < 0) {
            return bytesSent == LineFields.OUT_OF_RANGE ? "the bytes-sent field is larger than " + LineFields.MAX_NUMBER
                    : "the bytes-sent field is not a number";
        }
        requestTime = fields.requestTime(parsed);
        if (requestTime < 0) {
            return "$request_time is not a number";
        }
        key.clear();
        for (LineFields.Dimension d : dimensions) {
            d.append(parsed, key);
        }
        return null;
    }

    /** Whether the parsed line would open a new group in {@code agg}. */
    public boolean opensGroupIn(WindowAggregator agg) {
        return agg.isNewGroup(agg.windowStartOf(eventTime), key);
    }

    /** Folds the line last parsed successfully. */
    public void foldInto(WindowAggregator agg) {
        agg.add(eventTime, key, bytesSent, requestTime);
    }
}
