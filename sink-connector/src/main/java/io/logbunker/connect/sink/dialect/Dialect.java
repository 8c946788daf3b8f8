package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MergeFunction;
import io.logbunker.connect.sink.engine.TableShape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The SQL of one database family: identifier quoting, column types, the additive upsert, the offsets table,
 * percentile queries and error classification. Everything the writer sends is built here, and the golden files
 * in the tests pin it per dialect; how values are bound to its parameters is the {@link #binder()}'s job.
 */
public abstract class Dialect {

    public abstract String name();

    /** Binds record values to this dialect's statement parameters. */
    public abstract ValueBinder binder();

    /** The identifier quote character. */
    protected abstract char quoteChar();

    /** Longest identifier the database accepts, in the unit it counts. */
    protected abstract int maxIdentifierLength();

    /**
     * Quotes an identifier after checking it, so a topic or field name can never inject SQL.
     *
     * @throws IllegalArgumentException when the name cannot be an identifier here
     */
    public String quote(String identifier) {
        validateIdentifier(identifier);
        String q = String.valueOf(quoteChar());
        return q + identifier.replace(q, q + q) + q;
    }

    public void validateIdentifier(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("an empty SQL identifier");
        }
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("identifier '" + identifier.replaceAll("\\p{Cntrl}", "?")
                        + "' contains a control character");
            }
        }
        if (identifierLength(identifier) > maxIdentifierLength()) {
            throw new IllegalArgumentException("identifier '" + identifier + "' is longer than " + name() + " allows ("
                    + maxIdentifierLength() + ")");
        }
    }

    protected int identifierLength(String identifier) {
        return identifier.length();
    }

    // ------------------------------------------------------------------ DDL

    public abstract String columnType(Column column);

    /** A column's type as CREATE TABLE and ADD COLUMN spell it: the type, and whatever the dialect adds to it. */
    protected String columnDefinition(Column column) {
        return columnType(column);
    }

    /** A key column's definition in CREATE TABLE, which may depend on the table's other key columns. */
    protected String keyColumnDefinition(Column column, TableShape shape) {
        return columnDefinition(column);
    }

    public String createTable(TableShape shape) {
        StringBuilder sb = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(quote(shape.table())).append(" (");
        List<String> keys = new ArrayList<>();
        for (Column c : shape.columns()) {
            sb.append(quote(c.name())).append(' ').append(c.isKey() ? keyColumnDefinition(c, shape) + " NOT NULL" : columnDefinition(c) + " NULL")
                    .append(", ");
            if (c.isKey()) {
                keys.add(quote(c.name()));
            }
        }
        return sb.append("PRIMARY KEY (").append(String.join(", ", keys)).append("))").toString();
    }

    public String addColumn(String table, Column column) {
        return "ALTER TABLE " + quote(table) + " ADD COLUMN " + quote(column.name()) + " " + columnDefinition(column) + " NULL";
    }

    /** Column names of a table as the database reports them, or empty when it does not exist. */
    public Set<String> existingColumns(Connection conn, String table) throws SQLException {
        Set<String> cols = new LinkedHashSet<>();
        DatabaseMetaData md = conn.getMetaData();
        try (ResultSet rs = md.getColumns(catalog(conn), schemaPattern(conn), escapeLike(table, md), null)) {
            while (rs.next()) {
                if (table.equals(rs.getString("TABLE_NAME"))) {
                    cols.add(rs.getString("COLUMN_NAME"));
                }
            }
        }
        return cols;
    }

    /**
     * What would make writing into an existing table, which the sink did not create as it would, cheaper or safer: one
     * message per finding, for the log; none by default.
     */
    public List<String> adviceOn(Connection conn, TableShape shape) throws SQLException {
        return List.of();
    }

    protected String catalog(Connection conn) throws SQLException {
        return null;
    }

    protected String schemaPattern(Connection conn) throws SQLException {
        return null;
    }

    private static String escapeLike(String name, DatabaseMetaData md) throws SQLException {
        String esc = md.getSearchStringEscape();
        if (esc == null || esc.isEmpty()) {
            return name;
        }
        return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }

    // ------------------------------------------------------------------ DML

    /** A multi-row additive upsert of {@code rows} rows. */
    public abstract String upsert(TableShape shape, int rows);

    /**
     * An upsert that takes every row of a batch as one array parameter per column (PostgreSQL's UNNEST), or null
     * when the dialect has none. Measured faster than multi-row VALUES where available (see BENCHMARKS.md).
     */
    public String upsertFromArrays(TableShape shape) {
        return null;
    }

    /**
     * A plain INSERT of the same array parameters as {@link #upsertFromArrays}, or null. It fails on the first row
     * that exists (a unique violation), and costs the database much less than the upsert when every row is new.
     */
    public String insertFromArrays(TableShape shape) {
        return null;
    }

    /** A bulk load of new rows, cheaper for the database than {@link #insertFromArrays}, or null. */
    public BulkInsert bulkInsert() {
        return null;
    }

    /** Whether {@code e} says a row with the same primary key exists. */
    public boolean isUniqueViolation(java.sql.SQLException e) {
        return "23505".equals(e.getSQLState());
    }


    public String delete(TableShape shape) {
        StringBuilder sb = new StringBuilder("DELETE FROM ").append(quote(shape.table())).append(" WHERE ");
        List<String> conds = new ArrayList<>();
        for (Column c : shape.keyColumns()) {
            conds.add(quote(c.name()) + " = ?");
        }
        return sb.append(String.join(" AND ", conds)).toString();
    }

    /**
     * {@code INSERT ... ON CONFLICT (pk) DO UPDATE SET ...} (PostgreSQL, SQLite): {@code stored} qualifies the row's
     * current values (an alias or the table name), {@code excluded} the incoming ones.
     */
    protected String onConflictUpsert(TableShape shape, int rows, String alias, String stored, String excluded) {
        return onConflictUpsert(shape, "VALUES " + valuesList(shape.columns().size(), rows), alias, stored, excluded);
    }

    /** The same with any row source: {@code VALUES (...), (...)} or {@code SELECT ...}. */
    protected String onConflictUpsert(TableShape shape, String rowSource, String alias, String stored, String excluded) {
        StringBuilder sb = new StringBuilder("INSERT INTO ").append(quote(shape.table()));
        if (alias != null) {
            sb.append(" AS ").append(alias);
        }
        sb.append(" (").append(columnList(shape)).append(") ").append(rowSource).append(" ON CONFLICT (");
        List<String> keys = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        for (Column c : shape.columns()) {
            String q = quote(c.name());
            if (c.isKey()) {
                keys.add(q);
            } else {
                sets.add(q + " = " + mergeExpression(c.merge(), stored + "." + q, excluded + "." + q));
            }
        }
        sb.append(String.join(", ", keys)).append(')');
        if (sets.isEmpty()) {
            return sb.append(" DO NOTHING").toString();
        }
        return sb.append(" DO UPDATE SET ").append(String.join(", ", sets)).toString();
    }

    protected String columnList(TableShape shape) {
        List<String> cols = new ArrayList<>();
        for (Column c : shape.columns()) {
            cols.add(quote(c.name()));
        }
        return String.join(", ", cols);
    }

    protected static String valuesList(int columns, int rows) {
        StringBuilder one = new StringBuilder("(");
        for (int i = 0; i < columns; i++) {
            one.append(i == 0 ? "?" : ", ?");
        }
        one.append(')');
        StringBuilder sb = new StringBuilder(rows * (one.length() + 2));
        for (int r = 0; r < rows; r++) {
            if (r > 0) {
                sb.append(", ");
            }
            sb.append(one);
        }
        return sb.toString();
    }

    /**
     * The merged value of one column: {@code stored} and {@code incoming} are SQL expressions. NULL never erases:
     * COALESCE falls back to whichever side is not NULL.
     */
    protected String mergeExpression(MergeFunction merge, String stored, String incoming) {
        switch (merge) {
            case SUM:
                return "COALESCE(" + stored + " + " + incoming + ", " + stored + ", " + incoming + ")";
            case MIN:
                return "COALESCE(" + least() + "(" + stored + ", " + incoming + "), " + stored + ", " + incoming + ")";
            case MAX:
                return "COALESCE(" + greatest() + "(" + stored + ", " + incoming + "), " + stored + ", " + incoming + ")";
            case HISTOGRAM:
                return histogramMerge(stored, incoming);
            default:
                return "COALESCE(" + incoming + ", " + stored + ")";
        }
    }

    /**
     * Two histogram values ({@code [[bucket,count],...]} JSON, either NULL) merged into one whose counts are the sums
     * of equal buckets: the SQL of {@link io.logbunker.connect.sink.engine.HistogramCounts#plus}.
     */
    protected abstract String histogramMerge(String stored, String incoming);

    /** {@code both} (the sum of two present values) where both are present, else whichever is. */
    protected static String eitherOrBoth(String stored, String incoming, String both) {
        return "CASE WHEN " + stored + " IS NULL THEN " + incoming + " WHEN " + incoming + " IS NULL THEN " + stored + " ELSE "
                + both + " END";
    }

    /**
     * Statements that create what {@link #histogramMerge} calls, run once per task (in autocommit, safe to run
     * concurrently and again) before a table with a histogram column is written; empty when it needs nothing.
     */
    public List<String> histogramSupport() {
        return List.of();
    }

    /**
     * A query that succeeds when what {@link #histogramSupport} creates exists and this session may use it (then it is
     * not created again, which would need a privilege the session may lack), or null when there is nothing to check.
     */
    public String histogramSupportCheck() {
        return null;
    }

    /**
     * How a query reads the (bucket, count) pairs of histogram column {@code column} of the table aliased {@code t}:
     * a join that adds one row per pair ({@code FROM table t <join>}), and the bucket and count expressions.
     */
    public record HistogramPairs(String join, String bucket, String count) {
    }

    public abstract HistogramPairs histogramPairs(String column);

    protected String least() {
        return "LEAST";
    }

    protected String greatest() {
        return "GREATEST";
    }

    /** {@code column} (a window start) cut to its UTC hour or day, as a value that sorts in time order. */
    public abstract String truncateWindowStart(String column, QuantileSql.Period period);

    // ------------------------------------------------------------------ offsets ledger

    public String createOffsetsTable(String table) {
        return "CREATE TABLE IF NOT EXISTS " + quote(table) + " (connector_name VARCHAR(255) NOT NULL, "
                + "topic VARCHAR(255) NOT NULL, kafka_partition INTEGER NOT NULL, next_offset BIGINT NOT NULL, "
                + "PRIMARY KEY (connector_name, topic, kafka_partition))";
    }

    /** Inserts (connector, topic, partition) with next_offset -1 unless it exists. */
    public abstract String insertOffsetIfAbsent(String table);

    /** Reads and locks one offset row until the transaction ends. */
    public String lockOffset(String table) {
        return "SELECT next_offset FROM " + quote(table) + " WHERE connector_name = ? AND topic = ? AND kafka_partition = ? FOR UPDATE";
    }

    public String readOffset(String table) {
        return "SELECT next_offset FROM " + quote(table) + " WHERE connector_name = ? AND topic = ? AND kafka_partition = ?";
    }

    public String updateOffset(String table) {
        return "UPDATE " + quote(table) + " SET next_offset = ? WHERE connector_name = ? AND topic = ? AND kafka_partition = ?";
    }

    // ------------------------------------------------------------------ connections and errors

    /** Driver properties that keep connects and statements from blocking a put() for too long. */
    public abstract void addTimeouts(Properties props, long connectTimeoutMs, long socketTimeoutMs);

    /** Called once per new connection (session settings). */
    public void initialize(Connection conn) throws SQLException {
    }

    /** The connection is gone or the server is (re)starting: reconnect later, the data is safe. */
    public boolean isConnectionProblem(SQLException e) {
        return inChain(e, t -> t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                || t instanceof SQLRecoverableException || t instanceof IOException
                || state(t) != null && (state(t).startsWith("08") || isConnectionState(state(t))));
    }

    protected boolean isConnectionState(String sqlState) {
        return false;
    }

    /**
     * The database refused the user: wrong credentials or missing privileges (SQLState class 28, 42501, or the
     * dialect's own codes). A configuration problem: never a bad record for the DLQ, and no retry fixes it.
     */
    public boolean isAccessProblem(SQLException e) {
        return inChain(e, t -> state(t) != null && (state(t).startsWith("28") || state(t).equals("42501"))
                || t instanceof SQLException sql && isAccessDenied(sql));
    }

    protected boolean isAccessDenied(SQLException e) {
        return false;
    }

    /** Deadlock, serialization failure or lock timeout: retrying the whole transaction can succeed. */
    public boolean isTransactionConflict(SQLException e) {
        return inChain(e, t -> "40001".equals(state(t)) || "40P01".equals(state(t)) || t instanceof SQLException sql && isConflict(sql));
    }

    protected boolean isConflict(SQLException e) {
        return false;
    }

    /** A table the statement names does not exist (42P01, 42S02, or the dialect's own error): never a record's fault. */
    public boolean isMissingTable(SQLException e) {
        return inChain(e, t -> "42P01".equals(state(t)) || "42S02".equals(state(t)) || t instanceof SQLException sql && isMissing(sql, true));
    }

    /** A column the statement names does not exist (42703, 42S22, or the dialect's own error). */
    public boolean isMissingColumn(SQLException e) {
        return inChain(e, t -> "42703".equals(state(t)) || "42S22".equals(state(t)) || t instanceof SQLException sql && isMissing(sql, false));
    }

    /** For drivers that give no SQLState: whether {@code e} says a table (else a column) does not exist. */
    protected boolean isMissing(SQLException e, boolean table) {
        return false;
    }

    private static boolean inChain(SQLException e, java.util.function.Predicate<Throwable> test) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    private static String state(Throwable t) {
        return t instanceof SQLException sql ? sql.getSQLState() : null;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
