package io.logbunker.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares the recount with the table per (window, group): match, missing (in the logs, not in the table), extra (in
 * the table, not in the logs) or differs. Windows the files cover only in part are not comparable and never count as
 * mismatches: the first and the last window of the files (older lines may be in rotations not given, newer ones not
 * written yet), unless the files are complete, and windows outside --from/--to.
 */
final class Comparison {
    enum Outcome { MATCH, MISSING, EXTRA, DIFFERS, NOT_COMPARABLE }

    record Entry(Outcome outcome, long windowStart, String group, long[] table, long[] logs) {
    }

    final List<Entry> entries = new ArrayList<>();
    final int[] totals = new int[Outcome.values().length];

    /** "window start ms|dim1|dim2..." with the file's key fields (host first) and then the group-by fields. */
    static String key(long windowStart, List<String> dims) {
        StringBuilder sb = new StringBuilder(Long.toString(windowStart));
        for (String d : dims) {
            sb.append('|').append(d);
        }
        return sb.toString();
    }

    static Comparison of(LogRecount.Result logs, TableReader.Table stored, VerifySettings s) {
        Map<String, long[]> table = stored.rows();
        Comparison c = new Comparison();
        TreeSet<String> keys = new TreeSet<>((a, b) -> {
            int byWindow = Long.compare(Long.parseLong(a.substring(0, a.indexOf('|'))), Long.parseLong(b.substring(0, b.indexOf('|'))));
            return byWindow != 0 ? byWindow : a.compareTo(b);
        });
        keys.addAll(logs.counts().keySet());
        keys.addAll(table.keySet());
        for (String k : keys) {
            long window = Long.parseLong(k.substring(0, k.indexOf('|')));
            String group = k.substring(k.indexOf('|') + 1);
            long[] l = logs.counts().get(k);
            long[] t = table.get(k);
            Outcome o;
            if (!comparable(window, logs, s)) {
                o = Outcome.NOT_COMPARABLE;
            } else if (t == null) {
                o = Outcome.MISSING;
            } else if (l == null) {
                o = Outcome.EXTRA;
            } else {
                o = l[0] == t[0] && (l[1] == t[1] || !stored.hasBytes()) ? Outcome.MATCH : Outcome.DIFFERS;
            }
            c.totals[o.ordinal()]++;
            if (o != Outcome.MATCH) {
                c.entries.add(new Entry(o, window, group, t, l));
            }
        }
        return c;
    }

    private static boolean comparable(long window, LogRecount.Result logs, VerifySettings s) {
        if (s.from() != null && window < s.from().toEpochMilli() || s.to() != null && window >= s.to().toEpochMilli()) {
            return false;
        }
        if (window < logs.firstEventMs() || window > logs.lastEventMs()) {
            return false; // rows of windows the files do not cover at all
        }
        return s.complete() || (window != logs.firstEventMs() && window != logs.lastEventMs());
    }

    boolean allMatch() {
        return totals[Outcome.MISSING.ordinal()] + totals[Outcome.EXTRA.ordinal()] + totals[Outcome.DIFFERS.ordinal()] == 0;
    }

    String summary() {
        return String.format("%d (window, group) rows compared: %d match, %d missing, %d extra, %d differ; %d not comparable",
                totals[0] + totals[1] + totals[2] + totals[3], totals[Outcome.MATCH.ordinal()], totals[Outcome.MISSING.ordinal()],
                totals[Outcome.EXTRA.ordinal()], totals[Outcome.DIFFERS.ordinal()], totals[Outcome.NOT_COMPARABLE.ordinal()]);
    }

    int compared() {
        return totals[0] + totals[1] + totals[2] + totals[3];
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-15s %-24s %-30s %25s %25s%n", "outcome", "window", "group", "table requests/bytes", "logs requests/bytes"));
        for (Entry e : entries) {
            if (e.outcome() == Outcome.NOT_COMPARABLE) {
                continue;
            }
            sb.append(String.format("%-15s %-24s %-30s %25s %25s%n", e.outcome().name().toLowerCase(), Instant.ofEpochMilli(e.windowStart()),
                    e.group(), figures(e.table()), figures(e.logs())));
        }
        sb.append(summary()).append('\n');
        if (compared() == 0) {
            sb.append("No window could be compared: the files cover only their first and last window. Give more of the log "
                    + "(older rotations too), or --complete if these files hold every line of their time span.\n");
        }
        return sb.toString();
    }

    String json(LogRecount.Result logs) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        for (Outcome o : Outcome.values()) {
            root.put(o.name().toLowerCase(), totals[o.ordinal()]);
        }
        root.put("ok", allMatch());
        root.put("lines", logs.lines());
        root.put("rejected", logs.rejected());
        ArrayNode list = root.putArray("mismatches");
        for (Entry e : entries) {
            if (e.outcome() == Outcome.NOT_COMPARABLE) {
                continue;
            }
            ObjectNode n = list.addObject();
            n.put("outcome", e.outcome().name().toLowerCase());
            n.put("window_start", Instant.ofEpochMilli(e.windowStart()).toString());
            n.put("group", e.group());
            if (e.table() != null) {
                n.put("table_requests", e.table()[0]).put("table_bytes_sent", e.table()[1]);
            }
            if (e.logs() != null) {
                n.put("logs_requests", e.logs()[0]).put("logs_bytes_sent", e.logs()[1]);
            }
        }
        return root.toString();
    }

    private static String figures(long[] v) {
        return v == null ? "-" : v[0] + " / " + v[1];
    }
}
