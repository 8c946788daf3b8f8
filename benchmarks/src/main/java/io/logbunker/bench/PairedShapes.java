package io.logbunker.bench;

import org.openjdk.jmh.infra.Blackhole;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link ParseAggregateBenchmark}'s shapes in one JVM, in turns of a few seconds each, for ratios that a VM's slow
 * phases do not decide. On this machine class a phase slows every function of a process by up to 2x for tens of
 * seconds to minutes (BENCHMARKS.md section 19), so two shapes measured in separate forks, even alternating, are
 * compared across phases; here each turn of a shape is compared with the reference's turns of the same round and the
 * next, a few seconds apart. Every variant runs in its own class loader: its classes are compiled for it alone, as in a
 * fork of its own. The variants' order rotates from one round of turns to the next, so that none always runs first,
 * or always right after the same other one, whatever a position costs. A JVM's compilation of a shape also varies from one JVM to the
 * next, so compare the medians of several invocations (BENCHMARKS.md section 22).
 *
 * <p>Usage: {@code PairedShapes VARIANT,VARIANT[,...] [turns [secondsPerTurn]]}, a variant being a shape of
 * {@link ParseAggregateBenchmark} ({@code standard}, {@code latencies}, {@code histograms}), optionally
 * {@code shape@jar} to run it on another build of the source connector's jar. The first variant is the reference;
 * prints each variant's median lines/s and its median ratio to the reference over neighbouring turns. Run it with the
 * benchmarks' classpath and a fixed, pre-touched heap ({@code -Xms3g -Xmx3g -XX:+AlwaysPreTouch}).
 */
public final class PairedShapes {
    private PairedShapes() {
    }

    /** Entry point inside a variant's class loader: prepares the shape, returns lines/s of passes for {@code nanos}. */
    public static final class Turn {
        private static ParseAggregateBenchmark bench;
        private static Blackhole hole;

        public static void prepare(String shape) throws Exception {
            bench = new ParseAggregateBenchmark();
            bench.shape = shape;
            bench.setUp();
            hole = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        }

        public static double run(long nanos) {
            long lines = 0;
            long t0 = System.nanoTime();
            long t;
            do {
                bench.pass(hole);
                lines += ParseAggregateBenchmark.LINES;
                t = System.nanoTime();
            } while (t - t0 < nanos);
            return lines * 1e9 / (t - t0);
        }
    }

    public static void main(String[] args) throws Exception {
        String[] variants = args[0].split(",");
        int turns = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        long nanos = (long) ((args.length > 2 ? Double.parseDouble(args[2]) : 2) * 1e9);
        List<Method> runs = new ArrayList<>();
        for (String v : variants) {
            int at = v.indexOf('@');
            ClassLoader loader = loader(at < 0 ? null : v.substring(at + 1));
            Class<?> turn = loader.loadClass(Turn.class.getName());
            turn.getMethod("prepare", String.class).invoke(null, at < 0 ? v : v.substring(0, at));
            runs.add(turn.getMethod("run", long.class));
        }
        int warmups = 5;
        double[][] rate = new double[variants.length][turns];
        for (int t = -warmups; t < turns; t++) {
            for (int k = 0; k < variants.length; k++) {
                int v = (k + Math.floorMod(t, variants.length)) % variants.length;
                double r = (double) runs.get(v).invoke(null, nanos);
                if (t >= 0) {
                    rate[v][t] = r;
                }
            }
        }
        System.out.printf("%d turns of %.1f s per variant after %d warm-up turns; lines/s per turn:%n", turns, nanos / 1e9, warmups);
        for (int v = 0; v < variants.length; v++) {
            StringBuilder line = new StringBuilder(String.format("%-40s", variants[v]));
            for (double r : rate[v]) {
                line.append(String.format(" %.2fM", r / 1e6));
            }
            System.out.println(line);
        }
        for (int v = 0; v < variants.length; v++) {
            // the reference's turns of this round and the next
            double[] ratios = new double[turns];
            for (int t = 0; t < turns; t++) {
                double next = t + 1 < turns ? rate[0][t + 1] : rate[0][t];
                ratios[t] = rate[v][t] / ((rate[0][t] + next) / 2);
            }
            System.out.printf("%-40s median %.3fM lines/s, median ratio to %s %.1f%% (quartiles %.1f%%-%.1f%%)%n", variants[v],
                    median(rate[v]) / 1e6, variants[0], 100 * median(ratios), 100 * quantile(ratios, 0.25), 100 * quantile(ratios, 0.75));
        }
    }

    private static ClassLoader loader(String sourceJar) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            boolean source = entry.contains("logbunker-access-log-source") || entry.replace('\\', '/').contains("source-connector/target/classes");
            urls.add(Path.of(source && sourceJar != null ? sourceJar : entry).toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static double median(double[] values) {
        return quantile(values, 0.5);
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double at = q * (sorted.length - 1);
        int low = (int) Math.floor(at);
        int high = Math.min(sorted.length - 1, low + 1);
        return sorted[low] + (at - low) * (sorted[high] - sorted[low]);
    }
}
