package io.logbunker.connect.sink.dialect;

import java.util.Locale;

/** What a JDBC URL tells: which dialect speaks to that database, and the URL as it may be shown (password masked). */
public final class JdbcUrls {
    private JdbcUrls() {
    }

    /** Picks the dialect from a JDBC URL. */
    public static Dialect dialectFor(String url) {
        if (url == null || !url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("'" + redact(url) + "' is not a JDBC URL; it must start with jdbc:postgresql:, "
                    + "jdbc:mariadb:, jdbc:mysql: or jdbc:sqlite:");
        }
        String rest = url.substring(5).toLowerCase(Locale.ROOT);
        if (rest.startsWith("postgresql:")) {
            return new PostgresDialect();
        }
        if (rest.startsWith("mariadb:") || rest.startsWith("mysql:")) {
            return new MySqlDialect();
        }
        if (rest.startsWith("sqlite:")) {
            return new SqliteDialect();
        }
        throw new IllegalArgumentException("unsupported database in '" + redact(url) + "': supported are PostgreSQL "
                + "(jdbc:postgresql:), MariaDB/MySQL (jdbc:mariadb:, jdbc:mysql:) and SQLite (jdbc:sqlite:)");
    }


    /** A URL with any password parameter masked, for messages and logs. */
    public static String redact(String url) {
        if (url == null) {
            return "null";
        }
        return url.replaceAll("(?i)(password|pwd)=[^&;]*", "$1=*****").replaceAll("://([^/:@]+):([^/@]+)@", "://$1:*****@");
    }
}
