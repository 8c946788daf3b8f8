package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The writer's one JDBC connection: opened on first use, checked before each transaction and opened again when the
 * old one is gone, set up by the dialect (session settings) with the offsets table made sure of once; and its
 * prepared statements, cached by SQL text.
 */
final class JdbcSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcSession.class);
    private static final int MAX_CACHED_STATEMENTS = 64;

    private final Dialect dialect;
    private final AggregateWriter.ConnectionFactory factory;
    private final Setup setup;
    private Connection conn;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    /** What a new connection needs before it is used (session settings, the offsets table). */
    @FunctionalInterface
    interface Setup {
        void apply(Connection c) throws SQLException;
    }

    JdbcSession(Dialect dialect, AggregateWriter.ConnectionFactory factory, Setup setup) {
        this.dialect = dialect;
        this.factory = factory;
        this.setup = setup;
    }

    /** Whether a connection is open (it may still have gone bad since). */
    boolean isOpen() {
        return conn != null;
    }

    /** A validated connection, reconnecting when the old one is gone. */
    Connection connection() throws SQLException {
        if (conn != null) {
            boolean valid;
            try {
                valid = conn.isValid(5);
            } catch (SQLException e) {
                valid = false;
            }
            if (valid) {
                return conn;
            }
            log.info("The database connection is no longer valid; reconnecting");
            close();
        }
        Connection c = factory.open();
        try {
            dialect.initialize(c);
            setup.apply(c);
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
            throw e;
        }
        conn = c;
        return c;
    }

    /** The connection of the transaction in progress, as {@link #connection()} returned it (not validated again). */
    Connection current() {
        if (conn == null) {
            throw new IllegalStateException("internal error: no connection is open");
        }
        return conn;
    }

    /** The cached statement for {@code sql} on the current connection. */
    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            if (statements.size() > MAX_CACHED_STATEMENTS) {
                closeStatements();
            }
            ps = current().prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** Ends a failed transaction; a connection that cannot even roll back is dropped. */
    void rollbackQuietly() {
        if (conn == null) {
            return;
        }
        try {
            if (!conn.getAutoCommit()) {
                conn.rollback();
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            log.debug("rollback failed; dropping the connection", e);
            close();
        }
    }

    private void closeStatements() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
        statements.clear();
    }

    /** Drops the connection (after a connection error); the next use reconnects. */
    @Override
    public void close() {
        closeStatements();
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // it is broken anyway
            }
            conn = null;
        }
    }
}
