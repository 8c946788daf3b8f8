package io.logbunker.connect.sink;

import java.io.InputStream;
import java.util.Properties;

/** The plugin version, from the Maven build. */
public final class Version {
    private static final String VERSION;

    static {
        String v = "unknown";
        try (InputStream in = Version.class.getResourceAsStream("/logbunker-sink-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                v = p.getProperty("version", v);
            }
        } catch (Exception ignored) {
            // the version is informational
        }
        VERSION = v;
    }

    private Version() {
    }

    public static String get() {
        return VERSION;
    }
}
