package io.logbunker.connect.source.tail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The key fields a file gives all its rows, before the group-by fields: {@code host} first when there is one, then
 * the other groups of {@code path.dimensions} in the expression's order.
 *
 * <p>The host of a file is the {@code host} group of {@code path.dimensions} when the expression has one and matches
 * the file's path, else {@code host.name}, else {@code -}. So a per-host connector with
 * {@code host.name=${env:HOSTNAME}} can also read a dead host's directory attached under a path that names that host
 * (e.g. {@code ^/var/log/adopted/(?<host>[^/]+)/}) and give those lines the dead host's name.
 *
 * <p>The values are also part of a file's identity in the offsets ({@link #qualify}): two hosts whose logs begin
 * with the same line (a load balancer's health check at the same second) never share an offset, and the host that
 * adopts a dead host's directory finds that host's offsets under the same identity.
 */
public final class FileDimensions {
    public static final String HOST = "host";
    public static final FileDimensions NONE = new FileDimensions(PathDimensions.NONE, "");

    private final PathDimensions path;
    private final String hostName;
    private final List<String> names;
    /** For each name, its index among the path's names, or -1 for host.name's host. */
    private final int[] fromPath;

    public FileDimensions(PathDimensions path, String hostName) {
        this.path = path;
        this.hostName = hostName == null ? "" : hostName;
        List<String> n = new ArrayList<>();
        List<Integer> idx = new ArrayList<>();
        int pathHost = path.names().indexOf(HOST);
        if (!this.hostName.isEmpty() || pathHost >= 0) {
            n.add(HOST);
            idx.add(pathHost);
        }
        for (int i = 0; i < path.names().size(); i++) {
            if (i != pathHost) {
                n.add(path.names().get(i));
                idx.add(i);
            }
        }
        this.names = List.copyOf(n);
        this.fromPath = idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The key fields, in record order. */
    public List<String> names() {
        return names;
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** The values of a file at {@code file}, one per name. */
    public List<String> valuesOf(Path file) {
        if (names.isEmpty()) {
            return List.of();
        }
        List<String> pathValues = path.valuesOf(file);
        boolean matched = path.isEmpty() || path.matches(file);
        List<String> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(HOST)) {
                boolean hostFromPath = fromPath[i] >= 0 && matched && !pathValues.get(fromPath[i]).equals("-");
                out.add(hostFromPath ? pathValues.get(fromPath[i]) : hostName.isEmpty() ? "-" : hostName);
            } else {
                out.add(pathValues.get(fromPath[i]));
            }
        }
        return List.copyOf(out);
    }

    /** Whether path.dimensions matches {@code file} (always true without it). */
    public boolean matches(Path file) {
        return path.matches(file);
    }

    /**
     * The identity of a file in the offsets: its content identity, qualified by its key field values when it has any
     * ({@code <content identity>@<value>/<value>...}).
     */
    public static String qualify(String contentIdentity, List<String> values) {
        return values.isEmpty() ? contentIdentity : contentIdentity + "@" + String.join("/", values);
    }

    /** The content identity within a qualified one (itself when it is not qualified). */
    public static String contentIdentity(String identity) {
        int at = identity.indexOf('@');
        return at < 0 ? identity : identity.substring(0, at);
    }
}
