package io.logbunker.connect.source.format;

/**
 * Byte-level parsers for nginx's time variables, to UTC epoch milliseconds. They return
 * {@link #INVALID} instead of throwing, so a bad timestamp is a rejected line, not an exception on the hot path.
 */
public final class EventTime {

    public static final long INVALID = Long.MIN_VALUE;

    private EventTime() {
    }

    /** {@code $time_local}: {@code 10/Oct/2000:13:55:36 -0700}. */
    public static long parseTimeLocal(byte[] b, int off, int len) {
        if (len != 26 || b[off + 2] != '/' || b[off + 6] != '/' || b[off + 11] != ':' || b[off + 14] != ':'
                || b[off + 17] != ':' || b[off + 20] != ' ') {
            return INVALID;
        }
        int day = digits2(b, off);
        int month = month(b[off + 3], b[off + 4], b[off + 5]);
        int year = digits4(b, off + 7);
        int hour = digits2(b, off + 12);
        int minute = digits2(b, off + 15);
        int second = digits2(b, off + 18);
        int offsetMinutes = zone(b, off + 21);
        if ((day | month | year | hour | minute | second) < 0 || offsetMinutes == Integer.MIN_VALUE) {
            return INVALID;
        }
        return toEpochMillis(year, month, day, hour, minute, second, 0, offsetMinutes);
    }

    /** {@code $time_iso8601}: {@code 2000-10-10T13:55:36-07:00}; also accepts {@code Z} and fractional seconds. */
    public static long parseIso8601(byte[] b, int off, int len) {
        if (len < 20 || b[off + 4] != '-' || b[off + 7] != '-' || (b[off + 10] != 'T' && b[off + 10] != ' ')
                || b[off + 13] != ':' || b[off + 16] != ':') {
            return INVALID;
        }
        int year = digits4(b, off);
        int month = digits2(b, off + 5);
        int day = digits2(b, off + 8);
        int hour = digits2(b, off + 11);
        int minute = digits2(b, off + 14);
        int second = digits2(b, off + 17);
        int p = off + 19;
        int end = off + len;
        int millis = 0;
        if (p < end && b[p] == '.') {
            p++;
            int scale = 100;
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                millis += (b[p] - '0') * scale;
                scale /= 10;
                p++;
            }
        }
        int offsetMinutes;
        if (p < end && b[p] == 'Z' && p + 1 == end) {
            offsetMinutes = 0;
        } else if (end - p == 6 && b[p + 3] == ':') {
            int h = digits2(b, p + 1);
            int m = digits2(b, p + 4);
            if ((h | m) < 0 || (b[p] != '+' && b[p] != '-')) {
                return INVALID;
            }
            offsetMinutes = (b[p] == '-' ? -1 : 1) * (h * 60 + m);
        } else if (end - p == 5) {
            offsetMinutes = zone(b, p);
            if (offsetMinutes == Integer.MIN_VALUE) {
                return INVALID;
            }
        } else {
            return INVALID;
        }
        if ((day | month | year | hour | minute | second) < 0 || month < 1 || month > 12) {
            return INVALID;
        }
        return toEpochMillis(year, month, day, hour, minute, second, millis, offsetMinutes);
    }

    /** {@code $msec}: seconds since the epoch with millisecond resolution, {@code 1700000000.123}. */
    public static long parseMsec(byte[] b, int off, int len) {
        int end = off + len;
        int p = off;
        long seconds = 0;
        int intDigits = 0;
        while (p < end && b[p] >= '0' && b[p] <= '9') {
            seconds = seconds * 10 + (b[p++] - '0');
            if (++intDigits > 12) {
                return INVALID;
            }
        }
        if (intDigits == 0) {
            return INVALID;
        }
        long millis = 0;
        if (p < end && b[p] == '.') {
            p++;
            int scale = 100;
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                millis += (b[p] - '0') * scale;
                scale /= 10;
                p++;
            }
        }
        return p == end ? seconds * 1000 + millis : INVALID;
    }

    static long toEpochMillis(int year, int month, int day, int hour, int minute, int second, int millis, int offsetMinutes) {
        if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60
                || (day > 28 && day > daysInMonth(year, month))) {
            return INVALID;
        }
        long days = daysFromCivil(year, month, day);
        long secs = days * 86400L + hour * 3600L + minute * 60L + second - offsetMinutes * 60L;
        return secs * 1000L + millis;
    }

    static int daysInMonth(int year, int month) {
        if (month == 2) {
            return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
        }
        return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    }

    /** Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar. */
    static long daysFromCivil(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    private static int digits2(byte[] b, int p) {
        int a = b[p] - '0';
        int c = b[p + 1] - '0';
        return (a < 0 || a > 9 || c < 0 || c > 9) ? -1 : a * 10 + c;
    }

    private static int digits4(byte[] b, int p) {
        int hi = digits2(b, p);
        int lo = digits2(b, p + 2);
        return (hi < 0 || lo < 0) ? -1 : hi * 100 + lo;
    }

    /** {@code +hhmm} / {@code -hhmm} to signed minutes, or MIN_VALUE. */
    private static int zone(byte[] b, int p) {
        byte sign = b[p];
        int h = digits2(b, p + 1);
        int m = digits2(b, p + 3);
        if ((sign != '+' && sign != '-') || h < 0 || m < 0) {
            return Integer.MIN_VALUE;
        }
        int minutes = h * 60 + m;
        return sign == '-' ? -minutes : minutes;
    }

    private static int month(byte a, byte b, byte c) {
        switch (a) {
            case 'J':
                if (b == 'a' && c == 'n') return 1;
                if (b == 'u' && c == 'n') return 6;
                if (b == 'u' && c == 'l') return 7;
                return -1;
            case 'F':
                return b == 'e' && c == 'b' ? 2 : -1;
            case 'M':
                if (b == 'a' && c == 'r') return 3;
                if (b == 'a' && c == 'y') return 5;
                return -1;
            case 'A':
                if (b == 'p' && c == 'r') return 4;
                if (b == 'u' && c == 'g') return 8;
                return -1;
            case 'S':
                return b == 'e' && c == 'p' ? 9 : -1;
            case 'O':
                return b == 'c' && c == 't' ? 10 : -1;
            case 'N':
                return b == 'o' && c == 'v' ? 11 : -1;
            case 'D':
                return b == 'e' && c == 'c' ? 12 : -1;
            default:
                return -1;
        }
    }
}
