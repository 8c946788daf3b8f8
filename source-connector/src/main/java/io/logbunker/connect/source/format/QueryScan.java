package io.logbunker.connect.source.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the values of every {@code arg_<name>} dimension that reads the same field in one pass over the query
 * string per line (a line's query is walked once, however many arguments are grouped by).
 */
final class QueryScan {
    private final int field;
    private final boolean fieldIsArgs;
    private final boolean fromRequest;
    private final List<byte[]> params = new ArrayList<>();
    int[] valueStart = new int[0];
    int[] valueEnd = new int[0];
    private long scannedSerial = -1;
    private ParsedLine scannedLine;

    QueryScan(int field, boolean fieldIsArgs, boolean fromRequest) {
        this.field = field;
        this.fieldIsArgs = fieldIsArgs;
        this.fromRequest = fromRequest;
    }

    /** Whether this scan reads {@code field} in the way given (an arg_ dimension of the same source shares it). */
    boolean reads(int field, boolean fieldIsArgs, boolean fromRequest) {
        return this.field == field && this.fieldIsArgs == fieldIsArgs && this.fromRequest == fromRequest;
    }

    int register(byte[] param) {
        params.add(param);
        valueStart = new int[params.size()];
        valueEnd = new int[params.size()];
        scannedLine = null; // a scan made before this argument was known does not include it
        return params.size() - 1;
    }

    /** Scans the line's query unless it was scanned already; value bounds are -1 for an absent argument. */
    void scan(ParsedLine line) {
        if (line == scannedLine && line.serial == scannedSerial) {
            return;
        }
        scannedSerial = line.serial;
        scannedLine = line;
        int n = valueStart.length;
        java.util.Arrays.fill(valueStart, -1);
        byte[] b = line.buf;
        int s = line.start[field];
        int e = line.end[field];
        if (fromRequest) {
            if (!LineFields.splitRequest(line, field)) {
                return;
            }
            s = line.uriStart;
            e = line.uriEnd;
        }
        if (!fieldIsArgs) {
            int q = Bytes.indexOf(b, s, e, (byte) '?');
            if (q < 0) {
                return;
            }
            s = q + 1;
        }
        // walk name=value pairs separated by '&' (or ';'); the first occurrence of a name wins
        int missing = n;
        int p = s;
        while (p < e && missing > 0) {
            int eq = -1;
            int pairEnd = p;
            for (; pairEnd < e; pairEnd++) {
                byte c = b[pairEnd];
                if (c == '&' || c == ';') {
                    break;
                }
                if (c == '=' && eq < 0) {
                    eq = pairEnd;
                }
            }
            int nameEnd = eq < 0 ? pairEnd : eq;
            for (int i = 0; i < n; i++) {
                byte[] param = params.get(i);
                if (valueStart[i] < 0 && nameEnd - p == param.length && regionEquals(b, p, param)) {
                    valueStart[i] = eq < 0 ? pairEnd : eq + 1;
                    valueEnd[i] = pairEnd;
                    missing--;
                }
            }
            p = pairEnd + 1;
        }
    }

    private static boolean regionEquals(byte[] b, int p, byte[] param) {
        for (int i = 0; i < param.length; i++) {
            if (b[p + i] != param[i]) {
                return false;
            }
        }
        return true;
    }
}
