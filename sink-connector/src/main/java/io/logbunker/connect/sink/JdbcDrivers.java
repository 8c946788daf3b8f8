package io.logbunker.connect.sink;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import java.util.ServiceLoader;

/**
 * Opens connections with the drivers shipped inside this plugin. DriverManager would only see drivers visible to
 * the class loader that first touched it, which inside Connect's plugin isolation is often not ours.
 */
final class JdbcDrivers {
    private JdbcDrivers() {
    }

    static Connection open(String url, Properties props) throws SQLException {
        for (Driver d : ServiceLoader.load(Driver.class, JdbcDrivers.class.getClassLoader())) {
            if (d.acceptsURL(url)) {
                Connection c = d.connect(url, props);
                if (c != null) {
                    return c;
                }
            }
        }
        throw new SQLException("No JDBC driver in the plugin accepts this URL", "08001");
    }
}
