package io.logbunker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The benchmarks' file chores: corpus prefixes, line counts, the page cache, clean-ups. */
final class BenchFiles {
    private BenchFiles() {
    }

    /**
     * Prepares a timed run: reads the inputs once, so that both connectors find them in the page cache, as a log that
     * nginx has just written is (without it, the earlier runs' topics, 5.7 GB per FileStreamSource run, evicted the
     * corpus and some runs measured the disk); then writes back what earlier runs left dirty ({@code sync}), since
     * gigabytes of a FileStreamSource topic still being written back made PostgreSQL's commits (fsync) wait for
     * seconds in the run after it.
     */
    static void readThrough(List<Path> inputs) throws IOException {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(1 << 22);
        for (Path in : inputs) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(in)) {
                while (ch.read(buf) >= 0) {
                    buf.clear();
                }
            }
        }
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor(300, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for sync", e);
        }
    }

    /** Writes the first {@code n} lines of {@code from} to {@code to} (kept when it is already that file). */
    static void writePrefix(Path from, Path to, long n) throws IOException {
        if (countLines(to) == n) {
            return;
        }
        long seen = 0;
        byte[] buf = new byte[1 << 20];
        try (var in = Files.newInputStream(from); var out = Files.newOutputStream(to)) {
            int r;
            while (seen < n && (r = in.read(buf)) > 0) {
                int i = 0;
                int upto = r;
                while (seen < n && (i = io.logbunker.connect.source.format.Bytes.indexOf(buf, i, r, (byte) '\n')) >= 0) {
                    seen++;
                    i++;
                    upto = i;
                }
                out.write(buf, 0, seen < n ? r : upto);
            }
        }
    }

    static long countLines(Path f) throws IOException {
        if (!Files.exists(f)) {
            return -1;
        }
        long n = 0;
        byte[] buf = new byte[1 << 20];
        try (var in = Files.newInputStream(f)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                int i = 0;
                while ((i = io.logbunker.connect.source.format.Bytes.indexOf(buf, i, r, (byte) '\n')) >= 0) {
                    n++;
                    i++;
                }
            }
        }
        return n;
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = s.collect(Collectors.toList());
            Collections.reverse(all);
            for (Path x : all) {
                Files.delete(x);
            }
        }
    }

    /** {@code $time_local} as nginx writes it, between the first '[' and ']' of a line. */
    private static final java.time.format.DateTimeFormatter TIME_LOCAL =
            java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.ENGLISH);
    private static final int TIME_LOCAL_LENGTH = 26;

    /**
     * Writes {@code from} to {@code to} with every line's {@code $time_local} moved {@code shiftSeconds} later (and
     * nothing else changed): the same log on a later day, whose windows are new rows.
     */
    static void writeShifted(Path from, Path to, long shiftSeconds) throws IOException {
        byte[] lastIn = new byte[TIME_LOCAL_LENGTH];
        byte[] lastOut = null;
        byte[] buf = new byte[1 << 22];
        int held = 0;
        try (var in = Files.newInputStream(from); var out = Files.newOutputStream(to)) {
            int r;
            while ((r = in.read(buf, held, buf.length - held)) > 0) {
                int end = held + r;
                int start = 0;
                int nl;
                while ((nl = io.logbunker.connect.source.format.Bytes.indexOf(buf, start, end, (byte) '\n')) >= 0) {
                    int open = io.logbunker.connect.source.format.Bytes.indexOf(buf, start, nl, (byte) '[');
                    if (open < 0 || open + 1 + TIME_LOCAL_LENGTH > nl) {
                        throw new IOException("no $time_local in line at byte " + start + " of a chunk of " + from);
                    }
                    if (lastOut == null || !java.util.Arrays.equals(buf, open + 1, open + 1 + TIME_LOCAL_LENGTH, lastIn, 0, TIME_LOCAL_LENGTH)) {
                        System.arraycopy(buf, open + 1, lastIn, 0, TIME_LOCAL_LENGTH);
                        String t = new String(lastIn, java.nio.charset.StandardCharsets.ISO_8859_1);
                        lastOut = TIME_LOCAL.format(java.time.ZonedDateTime.parse(t, TIME_LOCAL).plusSeconds(shiftSeconds))
                                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                    }
                    System.arraycopy(lastOut, 0, buf, open + 1, TIME_LOCAL_LENGTH);
                    start = nl + 1;
                }
                out.write(buf, 0, start);
                held = end - start;
                System.arraycopy(buf, start, buf, 0, held);
            }
            if (held > 0) {
                throw new IOException(from + " ends without a newline");
            }
        }
    }

    /** The epoch seconds of the first and the last line's {@code $time_local}. */
    static long[] timeRange(Path log) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log)) {
            long size = ch.size();
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate((int) Math.min(size, 8192));
            ch.read(head, 0);
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate((int) Math.min(size, 8192));
            ch.read(tail, size - tail.capacity());
            String first = new String(head.array(), 0, head.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
            String last = new String(tail.array(), 0, tail.position(), java.nio.charset.StandardCharsets.ISO_8859_1).stripTrailing();
            last = last.substring(last.lastIndexOf('\n') + 1);
            return new long[] {epochOf(first), epochOf(last)};
        }
    }

    private static long epochOf(String line) {
        int open = line.indexOf('[');
        return java.time.ZonedDateTime.parse(line.substring(open + 1, open + 1 + TIME_LOCAL_LENGTH), TIME_LOCAL).toEpochSecond();
    }
}
