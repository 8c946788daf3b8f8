package io.logbunker.verify;

import java.io.PrintStream;
import java.util.Map;

/**
 * bin/logbunker-verify: recounts the closed windows of the access logs and compares them with the table, per
 * (window, group). Exit code 0: every comparable window matches; 1: a mismatch; 2: could not run (with the reason).
 */
public final class Verify {
    private Verify() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** The whole command, for tests: returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(VerifySettings.USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            VerifySettings s = VerifySettings.parse(args, env);
            LogRecount.Result logs = LogRecount.count(s);
            if (logs.lines() == 0) {
                throw new VerifySettings.Unusable("the files " + logs.files() + " hold no complete line");
            }
            if (logs.rejected() * 2 > logs.lines()) {
                throw new VerifySettings.Unusable(String.format("%.0f%% of %d lines rejected (first: %s), check --log-format",
                        100.0 * logs.rejected() / logs.lines(), logs.lines(), logs.firstRejectReason()));
            }
            Comparison c = Comparison.of(logs, TableReader.read(s), s);
            if (s.json()) {
                out.println(c.json(logs));
            } else {
                out.printf("Recounted %d lines (%d rejected) in %d files; windows of %d ms%n", logs.lines(), logs.rejected(),
                        logs.files().size(), s.windowMs());
                out.print(c.text());
            }
            return c.allMatch() ? 0 : 1;
        } catch (VerifySettings.Unusable e) {
            err.println("logbunker-verify: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("logbunker-verify: " + e);
            return 2;
        }
    }
}
