package io.logbunker.connect.source.format;

import java.util.ArrayList;
import java.util.List;

/**
 * What the aggregator needs from a split line: its event time, status and bytes, and the
 * group-by dimensions, including the derived ones ({@code request_method}, {@code request_uri}, {@code uri},
 * {@code args}, {@code arg_<name>}, {@code server_protocol}, {@code status_class}). Every accessor works on
 * the bytes in place.
 */
public final class LineFields {

    /** Appends one dimension's value of a line to a key. */
    public interface Dimension {
        String name();

        void append(ParsedLine line, KeyBuffer key);
    }

    public static final List<String> DERIVED = List.of("request_method", "request_uri", "uri", "args", "arg_<name>",
            "server_protocol", "status_class");

    private enum TimeKind { LOCAL, ISO8601, MSEC }

    private final LogFormat format;
    private final int timeField;
    private final TimeKind timeKind;
    private final int statusField;
    private final int bytesField;
    private final int requestField;
    private final int requestUriField;
    private final int argsField;
    /** $time_local changes once a second while thousands of lines share it: remember the last one. */
    private final byte[] lastTimeLocal = new byte[26];
    private long lastTimeLocalValue = EventTime.INVALID;
    private final List<QueryScan> queryScans = new ArrayList<>();

    public LineFields(LogFormat format) {
        this.format = format;
        int local = format.indexOf("time_local");
        int iso = format.indexOf("time_iso8601");
        int msec = format.indexOf("msec");
        if (local >= 0) {
            timeField = local;
            timeKind = TimeKind.LOCAL;
        } else if (iso >= 0) {
            timeField = iso;
            timeKind = TimeKind.ISO8601;
        } else if (msec >= 0) {
            timeField = msec;
            timeKind = TimeKind.MSEC;
        } else {
            throw new IllegalArgumentException("log.format has no time variable: it needs $time_local, $time_iso8601 or $msec "
                    + "to put lines into event-time windows");
        }
        statusField = format.indexOf("status");
        int body = format.indexOf("body_bytes_sent");
        bytesField = body >= 0 ? body : format.indexOf("bytes_sent");
        requestField = format.indexOf("request");
        requestUriField = format.indexOf("request_uri");
        argsField = format.indexOf("args");
    }

    public LogFormat format() {
        return format;
    }

    public boolean hasStatus() {
        return statusField >= 0;
    }

    public boolean hasBytesSent() {
        return bytesField >= 0;
    }

    /** Event time in UTC epoch milliseconds, or {@link EventTime#INVALID}. */
    public long eventTime(ParsedLine line) {
        byte[] b = line.buf;
        int s = line.start[timeField];
        int len = line.end[timeField] - s;
        switch (timeKind) {
            case LOCAL:
                if (len == 26 && lastTimeLocalValue != EventTime.INVALID && sameTimeLocal(b, s)) {
                    return lastTimeLocalValue;
                }
                long v = EventTime.parseTimeLocal(b, s, len);
                if (v != EventTime.INVALID) {
                    System.arraycopy(b, s, lastTimeLocal, 0, 26);
                }
                lastTimeLocalValue = v;
                return v;
            case ISO8601:
                return EventTime.parseIso8601(b, s, len);
            default:
                return EventTime.parseMsec(b, s, len);
        }
    }

    /** Whether {@code b[s, s + 26)} equals the cached $time_local: four word compares (the last overlaps). */
    private boolean sameTimeLocal(byte[] b, int s) {
        byte[] t = lastTimeLocal;
        return Bytes.getLong(b, s + 18) == Bytes.getLong(t, 18) && Bytes.getLong(b, s) == Bytes.getLong(t, 0)
                && Bytes.getLong(b, s + 8) == Bytes.getLong(t, 8) && Bytes.getLong(b, s + 16) == Bytes.getLong(t, 16);
    }

    /**
     * {@code $status} as a number, or -1 when it is not exactly three digits (as nginx and Apache always write it: a
     * {@code 0200} would otherwise be a group of its own).
     */
    public int status(ParsedLine line) {
        if (statusField < 0) {
            return -1;
        }
        int s = line.start[statusField];
        return line.end[statusField] - s != 3 ? -1 : (int) parseLong(line.buf, s, s + 3);
    }

    /**
     * Bytes sent ({@code -} is 0), -1 when the field is not a number, {@link #OUT_OF_RANGE} when it is larger than
     * {@link #MAX_NUMBER}. 0 when the format has no such field.
     */
    public long bytesSent(ParsedLine line) {
        if (bytesField < 0 || line.isEmpty(bytesField)) {
            return 0;
        }
        return parseLong(line.buf, line.start[bytesField], line.end[bytesField]);
    }

    /** Numbers of up to 18 digits are read; a window's sum of them is checked for overflow where it is added. */
    public static final long MAX_NUMBER = 999_999_999_999_999_999L;
    /** A number of more than 18 digits (no response is an exabyte). */
    public static final long OUT_OF_RANGE = -2;

    private static long parseLong(byte[] b, int p, int end) {
        if (p == end) {
            return -1;
        }
        long v = 0;
        for (int q = p; q < end; q++) {
            int d = b[q] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d; // wraps past 19 digits; the length check below decides then
        }
        return end - p > 18 ? OUT_OF_RANGE : v;
    }

    /** The names {@code group.by} may use with this format (derived names are listed in their generic form). */
    public List<String> availableDimensions() {
        List<String> names = new ArrayList<>(format.fieldNames());
        for (String derived : DERIVED) {
            if (!names.contains(derived) && canDerive(derived)) {
                names.add(derived);
            }
        }
        return names;
    }

    private boolean canDerive(String name) {
        switch (name) {
            case "status_class":
                return statusField >= 0;
            case "request_method":
            case "server_protocol":
            case "request_uri":
                return requestField >= 0;
            default: // uri, args, arg_<name>
                return requestField >= 0 || requestUriField >= 0 || (argsField >= 0 && name.startsWith("arg"));
        }
    }

    /**
     * Resolves a {@code group.by} name.
     *
     * @throws IllegalArgumentException naming the field and what the format offers instead
     */
    public Dimension dimension(String name) {
        int direct = format.indexOf(name);
        if (direct >= 0) {
            return new Raw(name, direct);
        }
        if (name.equals("status_class") && statusField >= 0) {
            return new StatusClass(statusField);
        }
        if (requestField >= 0 && (name.equals("request_method") || name.equals("server_protocol") || name.equals("request_uri"))) {
            return new RequestPart(name, requestField);
        }
        if (name.equals("uri") || name.equals("args") || (name.startsWith("arg_") && name.length() > 4)) {
            int source = requestUriField >= 0 ? requestUriField : requestField;
            if (name.startsWith("arg_") && argsField >= 0) {
                return new QueryArg(name, queryScan(argsField, true, false));
            }
            if (source >= 0) {
                boolean fromRequest = source == requestField;
                if (name.equals("uri")) {
                    return new UriPart(name, source, fromRequest, false);
                }
                if (name.equals("args")) {
                    return new UriPart(name, source, fromRequest, true);
                }
                return new QueryArg(name, queryScan(source, false, fromRequest));
            }
        }
        throw new IllegalArgumentException("unknown field '" + name + "' for this log.format; available: "
                + String.join(", ", availableDimensions()));
    }

    private static final class Raw implements Dimension {
        private final String name;
        private final int field;

        Raw(String name, int field) {
            this.name = name;
            this.field = field;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void append(ParsedLine line, KeyBuffer key) {
            int at = key.beginValue();
            if (!line.isEmpty(field)) {
                key.append(line.buf, line.start[field], line.end[field] - line.start[field]);
            }
            key.endValue(at);
        }
    }

    private static final class StatusClass implements Dimension {
        private final int field;

        StatusClass(int field) {
            this.field = field;
        }

        @Override
        public String name() {
            return "status_class";
        }

        @Override
        public void append(ParsedLine line, KeyBuffer key) {
            int at = key.beginValue();
            if (line.length(field) == 3) {
                key.append(line.buf[line.start[field]]);
                key.append((byte) 'x');
                key.append((byte) 'x');
            }
            key.endValue(at);
        }
    }

    /** Bounds of method, URI and protocol within {@code $request} ("GET /a?b HTTP/1.1"), computed in place. */
    static int requestUriStart(byte[] b, int s, int e) {
        int sp = Bytes.indexOf(b, s, e, (byte) ' ');
        return sp < 0 ? -1 : sp + 1;
    }

    static int requestUriEnd(byte[] b, int uriStart, int e) {
        for (int p = e - 1; p >= uriStart; p--) {
            if (b[p] == ' ') {
                // only a trailing "HTTP/x" token is a protocol; otherwise the request has none
                return p + 5 < e && b[p + 1] == 'H' && b[p + 2] == 'T' && b[p + 3] == 'T' && b[p + 4] == 'P' && b[p + 5] == '/'
                        ? p : e;
            }
        }
        return e;
    }

    /**
     * The URI's bounds in {@code $request}, split once per line however many dimensions need them.
     *
     * @return false when the request has no URI
     */
    static boolean splitRequest(ParsedLine line, int field) {
        if (line.uriStart == -1) {
            byte[] b = line.buf;
            int e = line.end[field];
            int us = requestUriStart(b, line.start[field], e);
            if (us < 0) {
                line.uriStart = -2;
            } else {
                line.uriStart = us;
                line.uriEnd = requestUriEnd(b, us, e);
            }
        }
        return line.uriStart >= 0;
    }

    private static final class RequestPart implements Dimension {
        private final String name;
        private final int field;

        RequestPart(String name, int field) {
            this.name = name;
            this.field = field;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void append(ParsedLine line, KeyBuffer key) {
            int at = key.beginValue();
            byte[] b = line.buf;
            int s = line.start[field];
            int e = line.end[field];
            if (splitRequest(line, field)) {
                int uriStart = line.uriStart;
                int uriEnd = line.uriEnd;
                switch (name) {
                    case "request_method":
                        key.append(b, s, uriStart - 1 - s);
                        break;
                    case "request_uri":
                        key.append(b, uriStart, uriEnd - uriStart);
                        break;
                    default: // server_protocol
                        if (uriEnd < e) {
                            key.append(b, uriEnd + 1, e - uriEnd - 1);
                        }
                }
            }
            key.endValue(at);
        }
    }

    private static final class UriPart implements Dimension {
        private final String name;
        private final int field;
        private final boolean fromRequest;
        private final boolean query;

        UriPart(String name, int field, boolean fromRequest, boolean query) {
            this.name = name;
            this.field = field;
            this.fromRequest = fromRequest;
            this.query = query;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void append(ParsedLine line, KeyBuffer key) {
            int at = key.beginValue();
            byte[] b = line.buf;
            int s = line.start[field];
            int e = line.end[field];
            if (fromRequest) {
                if (!splitRequest(line, field)) {
                    key.endValue(at);
                    return;
                }
                s = line.uriStart;
                e = line.uriEnd;
            }
            int q = s;
            while (q < e && b[q] != '?') {
                q++;
            }
            if (query) {
                if (q < e) {
                    key.append(b, q + 1, e - q - 1);
                }
            } else if (!(e - s == 1 && b[s] == '-')) {
                key.append(b, s, q - s);
            }
            key.endValue(at);
        }
    }

    private QueryScan queryScan(int field, boolean fieldIsArgs, boolean fromRequest) {
        for (QueryScan q : queryScans) {
            if (q.reads(field, fieldIsArgs, fromRequest)) {
                return q;
            }
        }
        QueryScan q = new QueryScan(field, fieldIsArgs, fromRequest);
        queryScans.add(q);
        return q;
    }
}
