package io.logbunker.connect.testkit;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The truth for latency histograms, from the raw files and independent of the project: lines of
 * {@link LogWriter#LATENCY_FORMAT} (or any format ending in {@code $request_time "$upstream_response_time"}) are
 * matched with a regular expression, each time (a list summed exactly as decimals, {@code -} adding nothing) is
 * mapped to its bucket by the documented formula, and counted per "window start ms|status|bucket".
 */
public final class RawLatencyCount {
    private static final Pattern LINE = Pattern.compile(
            "^\\S+ - \\S+ \\[(\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] \"[^\"]*\" (\\d{3}) .* (\\d+\\.\\d+|-) \"([^\"]*)\"$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
    public static final int ZERO_BUCKET = Integer.MIN_VALUE;

    /** Which of the two times to count. */
    public enum Field { REQUEST_TIME, UPSTREAM_RESPONSE_TIME }

    private RawLatencyCount() {
    }

    /** The documented bucket of a value: ceil(ln v / ln gamma), gamma = (1 + a) / (1 - a); below minValue the zero bucket. */
    public static int bucket(double v, double accuracy, double minValue) {
        return v < minValue ? ZERO_BUCKET : (int) Math.ceil(Math.log(v) / Math.log((1 + accuracy) / (1 - accuracy)));
    }

    /** The value of an nginx time field: null for "-" (or a list of only "-"), else the exact decimal sum. */
    public static BigDecimal value(String field) {
        BigDecimal sum = null;
        for (String part : field.split("\\s*[,:]\\s*")) {
            if (!part.equals("-")) {
                sum = (sum == null ? BigDecimal.ZERO : sum).add(new BigDecimal(part));
            }
        }
        return sum;
    }

    /** Counts per "window start ms|status|bucket" over the files whose name starts with {@code prefix}, .gz decompressed. */
    public static Map<String, Long> buckets(Path dir, String prefix, Field field, long windowMs, double accuracy, double minValue)
            throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        RawLogCount.forEachLine(dir, prefix, line -> {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                return;
            }
            BigDecimal v = value(field == Field.REQUEST_TIME ? m.group(3) : m.group(4));
            if (v != null) {
                long t = ZonedDateTime.parse(m.group(1), TIME).toInstant().toEpochMilli();
                counts.merge(Math.floorDiv(t, windowMs) * windowMs + "|" + m.group(2) + "|" + bucket(v.doubleValue(), accuracy, minValue), 1L,
                        Long::sum);
            }
        });
        return counts;
    }
}
