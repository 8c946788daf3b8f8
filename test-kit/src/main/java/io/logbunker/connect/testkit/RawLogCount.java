package io.logbunker.connect.testkit;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Counts combined-format lines per (one-minute window, status) straight from the files of a directory, .gz
 * decompressed, with a regular expression of its own: the truth the tests compare the pipeline with, independent of
 * the project's parser.
 */
public final class RawLogCount {
    private static final Pattern LINE = Pattern.compile(
            "^\\S+ - - \\[(\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] \"[^\"]*\" (\\d{3}) (\\d+|-) .*$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    private RawLogCount() {
    }

    /** requests and bytes per "window start ms|status" in the files whose name starts with {@code prefix}. */
    public static Map<String, long[]> perWindowAndStatus(Path dir, String prefix) throws Exception {
        Map<String, long[]> truth = new TreeMap<>();
        forEachLine(dir, prefix, line -> {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                long t = ZonedDateTime.parse(m.group(1), TIME).toInstant().toEpochMilli();
                long[] v = truth.computeIfAbsent(Math.floorDiv(t, 60_000L) * 60_000L + "|" + m.group(2), x -> new long[2]);
                v[0]++;
                v[1] += m.group(3).equals("-") ? 0 : Long.parseLong(m.group(3));
            }
        });
        return truth;
    }

    /** Something done with each line of the files. */
    @FunctionalInterface
    public interface LineVisitor {
        void visit(String line) throws Exception;
    }

    /** Every line (ISO-8859-1) of the files of {@code dir} whose name starts with {@code prefix}, .gz decompressed. */
    public static void forEachLine(Path dir, String prefix, LineVisitor visitor) throws Exception {
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                InputStream in = Files.newInputStream(file);
                if (file.getFileName().toString().endsWith(".gz")) {
                    in = new GZIPInputStream(in);
                }
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        visitor.visit(line);
                    }
                }
            }
        }
    }
}
