package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.TableShape;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The collation that makes MariaDB and MySQL compare text as its bytes, and whether an existing table's text key
 * columns use one. Any other collation counts different keys as one row: every PAD SPACE collation (as
 * {@code utf8mb4_bin}) ignores trailing spaces, a {@code _ci} one case and accents too.
 */
final class MySqlCollations {
    static final String MARIADB = "utf8mb4_nopad_bin";
    static final String MYSQL = "utf8mb4_0900_bin";
    /** Collations that compare bytes without padding. */
    private static final Set<String> BYTEWISE = Set.of(MARIADB, MYSQL, "binary");
    private static final String QUERY = "SELECT COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME FROM information_schema.COLUMNS "
            + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLLATION_NAME IS NOT NULL ORDER BY ORDINAL_POSITION";

    private MySqlCollations() {
    }

    /** The NO PAD binary collation of the server whose {@code VERSION()} this is. */
    static String forServer(String version) {
        return version != null && version.contains("MariaDB") ? MARIADB : MYSQL;
    }

    /** The advice for {@code shape}'s table, or none when its text key columns compare bytes already. */
    static List<String> advice(MySqlDialect dialect, Connection conn, TableShape shape, String collation) throws SQLException {
        List<String> described = new ArrayList<>();
        List<String> modifies = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(QUERY)) {
            ps.setString(1, shape.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String current = rs.getString(3);
                    if (shape.isKeyColumn(name) && !BYTEWISE.contains(current)) {
                        described.add(name + " (" + current + ")");
                        modifies.add("MODIFY " + dialect.quote(name) + " " + rs.getString(2) + " CHARACTER SET utf8mb4 COLLATE "
                                + collation + " NOT NULL");
                    }
                }
            }
        }
        if (described.isEmpty()) {
            return List.of();
        }
        String table = dialect.quote(shape.table());
        return List.of("Table " + table + " compares its key columns " + String.join(", ", described) + " in a collation "
                + "that takes some different keys for one (trailing spaces in any PAD SPACE collation such as utf8mb4_bin; "
                + "case and accents too in a _ci one), so their lines are counted in one row; the tables this sink creates "
                + "use " + collation + ", which compares bytes. Rows written so far stay as they are. To convert the table "
                + "once (the server rebuilds it, and holds a lock meanwhile): ALTER TABLE " + table + " "
                + String.join(", ", modifies));
    }
}
