package io.logbunker.connect.sink.engine;

import io.logbunker.connect.sink.dialect.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Creates and evolves the data tables and the offsets table, safely when many tasks (of one or several connectors)
 * do it at the same moment. {@code CREATE TABLE IF NOT EXISTS} is not enough: on PostgreSQL two sessions that
 * create the same table concurrently both pass the existence check, and the later one fails on the catalog's
 * unique index ({@code pg_type_typname_nsp_index}) once the first commits. Any DDL that fails is therefore
 * followed by a look at the table: if it now is as required, another session did the work and that is success.
 *
 * <p>Every statement runs in autocommit, outside the write transaction.
 */
public final class TableManager {
    private static final Logger log = LoggerFactory.getLogger(TableManager.class);
    private static final int DDL_ATTEMPTS = 3;

    private final Dialect dialect;
    private final boolean autoCreate;
    private final boolean autoEvolve;
    private boolean histogramSupportReady;
    /** Columns per table as last read from the database by this manager. */
    private final Map<String, Set<String>> tableColumns = new HashMap<>();
    /** Tables whose existing definition this manager has checked for advice, once each. */
    private final Set<String> advised = new HashSet<>();

    /** A table or column the records need, found missing by looking at the database itself (not a stale memory of it). */
    public static final class Mismatch extends SQLException {
        Mismatch(String message, String sqlState) {
            super(message, sqlState);
        }
    }

    public TableManager(Dialect dialect, boolean autoCreate, boolean autoEvolve) {
        this.dialect = dialect;
        this.autoCreate = autoCreate;
        this.autoEvolve = autoEvolve;
    }

    /** Creates the offsets table unless it exists. */
    public void ensureOffsetsTable(Connection c, String table) throws SQLException {
        c.setAutoCommit(true);
        createIfAbsent(c, table, dialect.createOffsetsTable(table));
    }

    /**
     * Makes sure the table of {@code shape} exists with all its columns: creates it (auto.create) and adds missing
     * value columns (auto.evolve). A missing key column is never added: that changes the primary key.
     */
    public void ensure(Connection c, TableShape shape) throws SQLException {
        Set<String> known = tableColumns.get(shape.table());
        if (known != null && hasAll(known, shape)) {
            return;
        }
        c.setAutoCommit(true);
        if (!histogramSupportReady && hasHistogram(shape)) {
            createHistogramSupport(c);
            histogramSupportReady = true;
        }
        Set<String> existing = dialect.existingColumns(c, shape.table());
        if (!existing.isEmpty() && advised.add(shape.table())) {
            advise(c, shape);
        }
        if (existing.isEmpty()) {
            if (!autoCreate) {
                throw new Mismatch("table " + shape.table() + " does not exist; create it or set auto.create=true", "42P01");
            }
            existing = createIfAbsent(c, shape.table(), dialect.createTable(shape));
        }
        for (Column col : shape.columns()) {
            if (existing.contains(col.name())) {
                continue;
            }
            if (col.isKey()) {
                throw new Mismatch("table " + shape.table() + " has no column " + col.name() + " but the record key has; "
                        + "primary keys are not changed automatically: migrate the table by hand", "42703");
            }
            if (!autoEvolve) {
                throw new Mismatch("table " + shape.table() + " has no column " + col.name() + "; add it or set "
                        + "auto.evolve=true", "42703");
            }
            existing = addColumnIfAbsent(c, shape.table(), col);
        }
        tableColumns.put(shape.table(), existing);
    }

    /**
     * Forgets the columns read so far, so that the next {@link #ensure} reads them again (a table or column dropped under
     * the running task); false when nothing was known.
     */
    public boolean forget() {
        boolean knew = !tableColumns.isEmpty();
        tableColumns.clear();
        return knew;
    }

    /** Logs the dialect's advice on a table that existed before this task; a catalog it cannot read is no failure. */
    private void advise(Connection c, TableShape shape) {
        try {
            for (String advice : dialect.adviceOn(c, shape)) {
                log.warn(advice);
            }
        } catch (SQLException e) {
            if (dialect.isConnectionProblem(e)) {
                return; // the writes that follow meet it and handle it
            }
            log.debug("No advice on table {}: {}", shape.table(), e.getMessage());
        }
    }

    /**
     * Creates what the dialect's histogram merge calls (MariaDB's function) unless the session can already use it; a
     * refusal names the privilege and what an administrator can run instead.
     */
    private void createHistogramSupport(Connection c) throws SQLException {
        String check = dialect.histogramSupportCheck();
        Condition usable = () -> check != null && succeeds(c, check);
        if (usable.holds()) {
            return;
        }
        for (String ddl : dialect.histogramSupport()) {
            try {
                runDdl(c, ddl, usable, "the histogram merge");
            } catch (SQLException e) {
                if (!dialect.isAccessProblem(e)) {
                    throw e;
                }
                throw new SQLException("The database user may not create the function that merges histograms (" + e.getMessage()
                        + "). Grant it CREATE ROUTINE (with binary logging on, also set log_bin_trust_function_creators=1), or have "
                        + "an administrator run this once in the sink's database and GRANT EXECUTE on the function to the user: "
                        + ddl, e.getSQLState(), e);
            }
        }
    }

    private boolean succeeds(Connection c, String query) throws SQLException {
        try {
            execute(c, query);
            return true;
        } catch (SQLException e) {
            if (dialect.isConnectionProblem(e)) {
                throw e;
            }
            return false;
        }
    }

    private static boolean hasHistogram(TableShape shape) {
        for (Column col : shape.columns()) {
            if (col.merge() == MergeFunction.HISTOGRAM) {
                return true;
            }
        }
        return false;
    }

    /** Runs a CREATE TABLE IF NOT EXISTS; returns the table's columns once it exists, whoever created it. */
    private Set<String> createIfAbsent(Connection c, String table, String ddl) throws SQLException {
        runDdl(c, ddl, () -> !dialect.existingColumns(c, table).isEmpty(), "table " + table);
        return requireColumns(c, table);
    }

    private Set<String> addColumnIfAbsent(Connection c, String table, Column col) throws SQLException {
        runDdl(c, dialect.addColumn(table, col), () -> dialect.existingColumns(c, table).contains(col.name()),
                "column " + col.name() + " of " + table);
        return requireColumns(c, table);
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws SQLException;
    }

    /**
     * Runs {@code ddl} until it succeeds or {@code done} holds: a failure after which it holds means another session
     * did the same at the same moment. A refused user or a lost connection is not retried.
     */
    private void runDdl(Connection c, String ddl, Condition done, String what) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                log.info("Creating {} unless it exists: {}", what, ddl);
                execute(c, ddl);
                return;
            } catch (SQLException e) {
                if (done.holds()) {
                    log.info("The {} was created by another session at the same moment ({}); using it", what, e.getMessage());
                    return;
                }
                if (attempt >= DDL_ATTEMPTS || dialect.isConnectionProblem(e) || dialect.isAccessProblem(e)) {
                    throw e;
                }
                log.info("Creating the {} failed ({}); trying again (attempt {} of {})", what, e.getMessage(), attempt + 1,
                        DDL_ATTEMPTS);
            }
        }
    }

    private Set<String> requireColumns(Connection c, String table) throws SQLException {
        Set<String> columns = dialect.existingColumns(c, table);
        if (columns.isEmpty()) {
            throw new SQLException("table " + table + " is not visible right after it was created; check that the connection's "
                    + "schema (search_path or database) is the one the table was created in");
        }
        return columns;
    }

    private static boolean hasAll(Set<String> known, TableShape shape) {
        for (Column c : shape.columns()) {
            if (!known.contains(c.name())) {
                return false;
            }
        }
        return true;
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
