package io.logbunker.connect.source;

import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.window.MetricSpec;
import io.logbunker.connect.source.tail.AllowedPaths;
import io.logbunker.connect.source.tail.GlobScanner;
import io.logbunker.connect.source.tail.FileDimensions;
import io.logbunker.connect.source.tail.PathDimensions;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checks of the source's settings: the syntax of single fields (ConfigDef validators, whose errors the REST API
 * reports on the field) and the checks across fields, which the connector's validate() reports on the field they name
 * and the config's constructor turns into a ConfigException.
 */
final class SourceConfigChecks {
    private SourceConfigChecks() {
    }

    /** The syntax of path.dimensions, reported on the field. */
    static final class PathDimensionsValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                PathDimensions.parse((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "a regular expression with named groups, or empty";
        }
    }

    /** Cross-field check of path.dimensions: its names must not clash with group-by or record fields; empty when fine. */
    static java.util.Optional<String> validatePathDimensions(String regex, List<String> groupBy, String metrics, String logFormat) {
        PathDimensions dims;
        try {
            dims = PathDimensions.parse(regex);
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty(); // reported by the validator
        }
        List<String> metricFields;
        try {
            metricFields = MetricSpec.parse(metrics, LogFormat.compile(logFormat), 0.01, 0.001).fields();
        } catch (IllegalArgumentException e) {
            metricFields = List.of(); // reported on metrics or log.format
        }
        for (String name : dims.names()) {
            if (groupBy.contains(name)) {
                return java.util.Optional.of("'" + name + "' is also a group.by field: a key field comes from the path or from "
                        + "the line, not both");
            }
            if (name.equals(FileDimensions.HOST)) {
                continue; // the record's host field: from the path where it matches, else host.name
            }
            if (AccessLogSourceConfig.RESERVED_FIELDS.contains(name) || metricFields.contains(name)) {
                return java.util.Optional.of("'" + name + "' is a field of the records themselves; name the group otherwise");
            }
        }
        if (dims.names().stream().distinct().count() != dims.names().size()) {
            return java.util.Optional.of("a group name is used twice");
        }
        return java.util.Optional.empty();
    }

    /** Cross-field check of metrics against log.format and group.by; empty when fine. */
    static java.util.Optional<String> validateMetrics(String logFormat, String metrics, List<String> groupBy) {
        LogFormat format;
        try {
            format = LogFormat.compile(logFormat);
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty(); // reported on log.format
        }
        MetricSpec spec;
        try {
            spec = MetricSpec.parse(metrics, format, 0.01, 0.001);
        } catch (IllegalArgumentException e) {
            return java.util.Optional.of(e.getMessage());
        }
        for (String field : spec.fields()) {
            if (groupBy.contains(field) || List.of("window_start", "window_end", "requests", "bytes_sent", "host").contains(field)) {
                return java.util.Optional.of("the field " + field + " would clash with a group-by or record field");
            }
        }
        return java.util.Optional.empty();
    }

    /** Cross-field check of group.by against log.format; empty when fine. */
    static java.util.Optional<String> validateGroupBy(String logFormat, List<String> groupBy, boolean hostSet) {
        LineFields fields;
        try {
            fields = new LineFields(LogFormat.compile(logFormat));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty(); // reported on log.format
        }
        List<String> seen = new ArrayList<>();
        for (String name : groupBy) {
            if (AccessLogSourceConfig.RESERVED_FIELDS.contains(name)) {
                return java.util.Optional.of("'" + name + "' is a field of the records themselves and cannot be a group-by field"
                        + (name.equals("host") ? " (use host.name for a static host dimension)" : ""));
            }
            if (seen.contains(name)) {
                return java.util.Optional.of("'" + name + "' is listed twice");
            }
            seen.add(name);
            try {
                fields.dimension(name);
            } catch (IllegalArgumentException e) {
                return java.util.Optional.of(e.getMessage());
            }
        }
        return java.util.Optional.empty();
    }

    /** The syntax of metrics; the variables are checked against log.format by the connector's validate(). */
    static final class MetricsValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String text = (String) value;
            if (text == null || text.isBlank()) {
                return;
            }
            for (String raw : text.split("[;,]")) {
                String token = raw.trim();
                int colon = token.indexOf(':');
                String aggregate = (colon >= 0 ? token.substring(colon + 1) : token).trim().toLowerCase(Locale.ROOT);
                if (!token.isEmpty() && !List.of("sum", "min", "max", "histogram").contains(aggregate)) {
                    throw new ConfigException(name, value, "'" + token + "' is not variable:aggregate or an aggregate; aggregates are "
                            + "sum, min, max and histogram");
                }
            }
        }

        @Override
        public String toString() {
            return "variable:aggregate,...;... with aggregates sum, min, max, histogram";
        }
    }

    /** A resolved name: a placeholder left as it is means the worker has no such provider or variable. */
    static final class HostNameValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String v = (String) value;
            if (v != null && v.contains("${")) {
                throw new ConfigException(name, value, "the worker did not resolve this placeholder. For ${env:HOSTNAME}, the worker "
                        + "properties need config.providers=env and config.providers.env.class="
                        + "org.apache.kafka.common.config.provider.EnvVarConfigProvider, and HOSTNAME must be exported in the "
                        + "worker's environment (shells set it without exporting it)");
            }
        }

        @Override
        public String toString() {
            return "a host name, e.g. ${env:HOSTNAME} resolved by the worker's EnvVarConfigProvider";
        }
    }

    /** A plain file name: the lock file lives in each directory read. */
    static final class LockFileNameValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String v = (String) value;
            if (v != null && !v.isEmpty() && (v.contains("/") || v.equals(".") || v.equals("..") || !v.equals(v.trim()))) {
                throw new ConfigException(name, value, "a file name without '/', created in each directory the task reads");
            }
        }

        @Override
        public String toString() {
            return "a file name, or empty";
        }
    }

    static final class GlobListValidator implements ConfigDef.Validator {
        private final boolean required;

        GlobListValidator(boolean required) {
            this.required = required;
        }

        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> globs = (List<String>) value;
            if (required && (globs == null || globs.isEmpty())) {
                throw new ConfigException(name, value, "at least one absolute file pattern is required");
            }
            if (globs == null) {
                return;
            }
            for (String g : globs) {
                String refused;
                try {
                    if (!required) {
                        java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + g);
                        continue;
                    }
                    refused = AllowedPaths.fromEnvironment().checkPattern(g, GlobScanner.validateInclude(g));
                } catch (RuntimeException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
                if (refused != null) {
                    throw new ConfigException(name, value, refused);
                }
            }
        }

        @Override
        public String toString() {
            return required ? "non-empty list of absolute glob patterns" : "list of glob patterns";
        }
    }

    static final class LogFormatValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                new LineFields(LogFormat.compile((String) value));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "a preset (" + String.join(", ", LogFormat.PRESETS.keySet()) + ") or an nginx log_format string";
        }
    }

    static final class GroupByValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> names = (List<String>) value;
            for (String n : names) {
                if (!n.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new ConfigException(name, value, "'" + n + "' is not a field name");
                }
            }
        }

        @Override
        public String toString() {
            return "list of field names (checked against log.format)";
        }
    }
}
