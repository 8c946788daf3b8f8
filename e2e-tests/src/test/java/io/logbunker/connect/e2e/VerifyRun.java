package io.logbunker.connect.e2e;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * bin/logbunker-verify's main class in a child JVM, as the launcher runs it: its own classes, the source's, and the
 * JDBC drivers and Jackson from this test's class path (the plugins' classes must stay off this JVM's class path).
 */
record VerifyRun(int exit, String output) {

    static VerifyRun of(String... args) throws Exception {
        Path repo = Paths.get("").toAbsolutePath().getParent();
        String libs = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> e.contains("jackson") || e.contains("postgresql") || e.contains("mariadb") || e.contains("sqlite-jdbc")
                        || e.contains("slf4j"))
                .collect(Collectors.joining(File.pathSeparator));
        String cp = repo.resolve("verify/target/classes") + File.pathSeparator + repo.resolve("source-connector/target/classes")
                + File.pathSeparator + libs;
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", cp,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "io.logbunker.verify.Verify"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("verify did not finish in 120 s: " + out);
        }
        return new VerifyRun(p.exitValue(), out);
    }
}
