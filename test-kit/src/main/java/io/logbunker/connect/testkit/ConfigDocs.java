package io.logbunker.connect.testkit;

import org.apache.kafka.common.config.ConfigDef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Renders a {@link ConfigDef} as the Markdown config reference of the README and keeps the README's copy
 * (between {@code <!-- config:NAME:start -->} and {@code <!-- config:NAME:end -->}) equal to it.
 */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static String markdown(ConfigDef def) {
        Map<String, List<ConfigDef.ConfigKey>> byGroup = new LinkedHashMap<>();
        for (String group : def.groups()) {
            byGroup.put(group, new ArrayList<>());
        }
        for (ConfigDef.ConfigKey key : def.configKeys().values()) { // definition order: by group, then orderInGroup
            if (key.internalConfig) {
                continue;
            }
            byGroup.computeIfAbsent(key.group == null ? "Other" : key.group, g -> new ArrayList<>()).add(key);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<ConfigDef.ConfigKey>> e : byGroup.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            sb.append("**").append(e.getKey()).append("**\n\n");
            sb.append("| Name | Type | Default | Valid values | Importance | Description |\n");
            sb.append("| --- | --- | --- | --- | --- | --- |\n");
            for (ConfigDef.ConfigKey k : e.getValue()) {
                String dflt = !k.hasDefault() ? "(required)" : k.defaultValue == null ? "null"
                        : "`" + ConfigDef.convertToString(k.defaultValue, k.type) + "`";
                if ("``".equals(dflt)) {
                    dflt = "\"\"";
                }
                sb.append("| `").append(k.name).append("` | ").append(k.type.toString().toLowerCase()).append(" | ")
                        .append(cell(dflt)).append(" | ").append(cell(k.validator == null ? "" : k.validator.toString()))
                        .append(" | ").append(k.importance.toString().toLowerCase()).append(" | ")
                        .append(cell(k.documentation)).append(" |\n");
            }
            sb.append('\n');
        }
        return sb.toString().trim() + "\n";
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /**
     * Asserts that the README's section is current; with {@code -Dconfigdoc.update=true} it rewrites it instead.
     */
    public static void assertReadmeCurrent(String name, ConfigDef def) throws IOException {
        Path readme = Paths.get(System.getProperty("logbunker.readme", "../README.md"));
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String start = "<!-- config:" + name + ":start -->\n";
        String end = "<!-- config:" + name + ":end -->";
        int s = text.indexOf(start);
        int e = text.indexOf(end);
        if (s < 0 || e < s) {
            throw new AssertionError("README.md has no " + start.trim() + " ... " + end + " section");
        }
        String current = text.substring(s + start.length(), e);
        String expected = markdown(def);
        if (Boolean.getBoolean("configdoc.update")) {
            Files.writeString(readme, text.substring(0, s + start.length()) + expected + text.substring(e), StandardCharsets.UTF_8);
            return;
        }
        assertEquals(expected, current, "README.md's " + name + " config reference is stale: run "
                + "'mvn -q test -Dtest=ConfigReferenceTest -Dconfigdoc.update=true' and commit README.md");
    }
}
