package io.logbunker.connect.source.window;

import io.logbunker.connect.source.format.EventTime;
import io.logbunker.connect.source.format.KeyBuffer;
import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.format.LineParser;
import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.format.NumericValue;
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
    private final MetricSpec metrics;
    private final int[] metricFields;
    private final boolean[] metricDecimal;
    private final String[] notANumber;
    private final String[] outOfRange;
    private final double[] values;
    private long eventTime;
    private long bytesSent;
    /** The parsed line's hash, once {@link #hashFor} computed it for aggregators of that window size. */
    private boolean hashed;
    private long hash;
    private long hashedWindowSizeMs;

    /** With the default metrics ({@code request_time:sum,min,max} when the format has it). */
    public LineFolder(String logFormat, List<String> groupBy) {
        this(logFormat, groupBy, MetricSpec.parse("", LogFormat.compile(logFormat), 0.01, 0.001));
    }

    public LineFolder(String logFormat, List<String> groupBy, MetricSpec metrics) {
        LogFormat format = LogFormat.compile(logFormat);
        this.parser = new LineParser(format);
        this.fields = new LineFields(format);
        this.dimensions = groupBy.stream().map(fields::dimension).toArray(LineFields.Dimension[]::new);
        this.parsed = parser.newParsedLine();
        this.metrics = metrics;
        int n = metrics.metrics().size();
        this.metricFields = new int[n];
        this.metricDecimal = new boolean[n];
        this.notANumber = new String[n];
        this.outOfRange = new String[n];
        this.values = new double[n];
        for (int m = 0; m < n; m++) {
            MetricSpec.Metric metric = metrics.metrics().get(m);
            metricFields[m] = format.indexOf(metric.variable());
            metricDecimal[m] = metric.decimal();
            notANumber[m] = "$" + metric.variable() + " is not a number" + (metric.decimal() ? "" : " (a whole number)");
            outOfRange[m] = "$" + metric.variable() + " is too large to be real";
        }
    }

    public MetricSpec metrics() {
        return metrics;
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
        hashed = false;
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
        for (int m = 0; m < values.length; m++) {
            double v = parsed.isEmpty(metricFields[m]) ? Double.NaN : NumericValue.read(parsed, metricFields[m], metricDecimal[m]);
            if (v < 0) {
                return v == NumericValue.NOT_A_NUMBER ? notANumber[m] : outOfRange[m];
            }
            values[m] = v;
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

    /**
     * The hash of the parsed line's (window, key) in aggregators of {@code agg}'s window size, computed once per line:
     * the fold reuses it.
     */
    long hashFor(WindowAggregator agg) {
        if (!hashed || hashedWindowSizeMs != agg.windowSizeMs()) {
            hash = WindowAggregator.hash(agg.windowStartOf(eventTime), key);
            hashedWindowSizeMs = agg.windowSizeMs();
            hashed = true;
        }
        return hash;
    }

    /** The event time of the line parsed last (epoch ms). */
    public long eventTime() {
        return eventTime;
    }

    /** Folds the line last parsed successfully. */
    public void foldInto(WindowAggregator agg) {
        if (hashed && hashedWindowSizeMs == agg.windowSizeMs()) {
            agg.add(eventTime, agg.windowStartOf(eventTime), hash, key, bytesSent, values);
        } else {
            agg.add(eventTime, key, bytesSent, values);
        }
    }
}
