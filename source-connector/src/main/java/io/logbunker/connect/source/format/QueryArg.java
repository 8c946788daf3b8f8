package io.logbunker.connect.source.format;

/** An {@code arg_<name>} dimension: the percent-decoded value of one query argument, empty when absent. */
final class QueryArg implements LineFields.Dimension {
    private final String name;
    private final QueryScan scan;
    private final int index;

    QueryArg(String name, QueryScan scan) {
        this.name = name;
        this.scan = scan;
        this.index = scan.register(name.substring(4).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void append(ParsedLine line, KeyBuffer key) {
        int at = key.beginValue();
        scan.scan(line);
        int vs = scan.valueStart[index];
        if (vs >= 0) {
            appendDecoded(line.buf, vs, scan.valueEnd[index], key);
        }
        key.endValue(at);
    }

    /**
     * Percent-decodes (and turns '+' into a space, as form encoding does); a malformed escape stays as is, and so does
     * {@code %00}: PostgreSQL's text refuses a NUL, so one client's {@code ?ad=%00} would stop the sink.
     */
    private static void appendDecoded(byte[] b, int s, int e, KeyBuffer key) {
        int plain = s;
        while (plain < e && b[plain] != '%' && b[plain] != '+') {
            plain++;
        }
        key.append(b, s, plain - s); // most values need no decoding: one copy
        for (int p = plain; p < e; p++) {
            byte c = b[p];
            if (c == '%' && p + 2 < e) {
                int hi = hex(b[p + 1]);
                int lo = hex(b[p + 2]);
                if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                    key.append((byte) (hi << 4 | lo));
                    p += 2;
                    continue;
                }
            }
            key.append(c == '+' ? (byte) ' ' : c);
        }
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
