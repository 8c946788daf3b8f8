package io.logbunker.connect.source.format;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.logbunker.connect.source.window.LineFolder;
import io.logbunker.connect.source.window.WindowAggregator;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing of the log_format compiler and the per-line path. Every build runs the inputs under
 * {@code src/test/resources/.../LogFormatFuzzTestInputs}; {@code bin/fuzz} fuzzes for longer (JAZZER_FUZZ=1).
 * Invariants: a format either compiles or is refused with an IllegalArgumentException that says why; a compiled
 * format, grouped by any of its dimensions, parses any bytes into either a foldable line or a reason, and never throws.
 */
class LogFormatFuzzTest {
    private static final String[] PRESETS = {"combined", "common", "main",
            "$remote_addr [$time_iso8601] \"$request\" $status $body_bytes_sent $request_time \"$http_user_agent\" $args",
            "$msec $host $status $bytes_sent \"$request_uri\" $upstream_response_time"};

    @FuzzTest(maxDuration = "20s")
    void anyFormatCompilesOrIsRefusedAndAnyLineParsesOrIsRejected(FuzzedDataProvider data) {
        boolean preset = data.consumeBoolean();
        String format = preset ? data.pickValue(PRESETS) : data.consumeString(160);
        List<String> dimensions;
        try {
            LineFields fields = new LineFields(LogFormat.compile(format));
            List<String> available = fields.availableDimensions();
            dimensions = new ArrayList<>();
            for (String d : available) {
                if (data.consumeBoolean()) {
                    dimensions.add(d.startsWith("arg_") && d.length() == 4 ? "arg_" + data.consumeAsciiString(6) : d);
                }
            }
        } catch (IllegalArgumentException e) {
            assertFalse(preset, "a preset must compile: " + e.getMessage());
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a refused format says why");
            return;
        }
        LineFolder folder;
        try {
            folder = new LineFolder(format, dimensions);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a refused group.by says why");
            return;
        }
        WindowAggregator agg = new WindowAggregator(60_000, 0);
        byte[] lines = data.consumeRemainingAsBytes();
        int start = 0;
        for (int i = 0; i <= lines.length; i++) {
            if (i == lines.length || lines[i] == '\n') {
                String reason = folder.parse(lines, start, i - start);
                if (reason == null) {
                    folder.foldInto(agg);
                } else {
                    assertFalse(reason.isBlank());
                }
                start = i + 1;
            }
        }
        agg.drain();
    }
}
