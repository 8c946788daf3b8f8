package io.logbunker.connect.sink.dialect;

/**
 * The collation that makes MariaDB and MySQL compare text as its bytes. Any other collation counts different keys as
 * one row: every PAD SPACE collation (as {@code utf8mb4_bin}) ignores trailing spaces, a {@code _ci} one case and
 * accents too.
 */
final class MySqlCollations {
    static final String MARIADB = "utf8mb4_nopad_bin";
    static final String MYSQL = "utf8mb4_0900_bin";

    private MySqlCollations() {
    }

    /** The NO PAD binary collation of the server whose {@code VERSION()} this is. */
    static String forServer(String version) {
        return version != null && version.contains("MariaDB") ? MARIADB : MYSQL;
    }
}
