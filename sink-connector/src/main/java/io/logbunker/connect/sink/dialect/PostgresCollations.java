package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.TableShape;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether an existing table's text key columns compare bytes, as the tables the sink creates do ({@code COLLATE "C"}),
 * and the statement that makes them do so. Tables created by hand or by earlier versions keep the collation they were
 * created with, often a language locale, whose comparisons make every new row's index entry dearer and, when the
 * collation is not deterministic, merge keys that differ only in what it ignores.
 */
final class PostgresCollations {
    /**
     * Each column's collation as the comparisons use it: the database's for {@code default}. Optional catalog columns
     * are read through {@code to_jsonb}, so the query runs on every version the sink supports.
     */
    private static final String QUERY = "SELECT attname, type, collname, provider, CASE WHEN collname <> 'default' "
            + "THEN COALESCE(collcollate, c ->> 'colliculocale', c ->> 'colllocale') WHEN provider = 'c' THEN datcollate "
            + "ELSE COALESCE(d ->> 'daticulocale', d ->> 'datlocale') END, deterministic FROM ("
            + "SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, co.collname, co.collcollate, db.datcollate, "
            + "to_jsonb(co) AS c, to_jsonb(db) AS d, COALESCE(to_jsonb(co) ->> 'collisdeterministic', 'true') AS deterministic, "
            + "CASE WHEN co.collname = 'default' THEN COALESCE(to_jsonb(db) ->> 'datlocprovider', 'c') "
            + "ELSE COALESCE(to_jsonb(co) ->> 'collprovider', 'c') END AS provider "
            + "FROM pg_attribute a JOIN pg_collation co ON co.oid = a.attcollation "
            + "JOIN pg_database db ON db.datname = current_database() "
            + "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped) AS k";
    /** Locales of the libc or builtin provider that order UTF-8 text as its bytes. */
    private static final Set<String> BYTEWISE = Set.of("C", "POSIX", "C.UTF-8", "C.utf8");

    private PostgresCollations() {
    }

    /** The advice for {@code shape}'s table, or none when its text key columns compare bytes already. */
    static List<String> advice(PostgresDialect dialect, Connection conn, TableShape shape) throws SQLException {
        Map<String, String[]> keys = new LinkedHashMap<>(); // name -> {type, collation, deterministic}
        try (PreparedStatement ps = conn.prepareStatement(QUERY)) {
            ps.setString(1, dialect.quote(shape.table()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String provider = rs.getString(4);
                    boolean bytewise = ("c".equals(provider) || "b".equals(provider)) && BYTEWISE.contains(rs.getString(5));
                    if (shape.isKeyColumn(name) && !bytewise) {
                        keys.put(name, new String[] {rs.getString(2), collation(rs), rs.getString(6)});
                    }
                }
            }
        }
        if (keys.isEmpty()) {
            return List.of();
        }
        List<String> alters = new ArrayList<>();
        List<String> described = new ArrayList<>();
        boolean merges = false;
        for (Map.Entry<String, String[]> e : keys.entrySet()) {
            String[] c = e.getValue();
            alters.add("ALTER COLUMN " + dialect.quote(e.getKey()) + " TYPE " + c[0] + " COLLATE \"C\"");
            described.add(e.getKey() + " (" + c[1] + ")");
            merges |= "false".equals(c[2]);
        }
        String table = dialect.quote(shape.table());
        return List.of("Table " + table + " compares its key columns " + String.join(", ", described) + " by a locale's rules, "
                + "not by their bytes as the tables this sink creates do (COLLATE \"C\"): every new row's index entry costs "
                + "PostgreSQL more (about a fifth more for per-ad rows, BENCHMARKS.md section 29) and ORDER BY on them follows "
                + "the locale" + (merges ? "; and as that collation is not deterministic, keys that differ only in what it "
                + "ignores (case, accents) are counted in one row" : "") + ". To convert the table once (it rebuilds the "
                + "primary key's index, not the table, and holds the table's lock meanwhile): ALTER TABLE " + table + " "
                + String.join(", ", alters));
    }

    private static String collation(ResultSet rs) throws SQLException {
        String name = rs.getString(3);
        String locale = rs.getString(5);
        return "default".equals(name) ? "the database's default, " + locale : name;
    }
}
