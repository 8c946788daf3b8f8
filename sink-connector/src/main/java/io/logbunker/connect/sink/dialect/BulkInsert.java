package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.TableShape;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A bulk load of rows that are all new (PostgreSQL's binary COPY): cheaper for the database than an INSERT of the
 * same rows, and like it, it fails with the database's unique violation on the first row that exists.
 */
public interface BulkInsert {
    /**
     * Whether rows of {@code shape} can be loaded into its table as it exists now: every column of the shape has the
     * type the load writes (a table created by someone else may declare other types, which the INSERT path casts).
     */
    boolean accepts(Connection conn, TableShape shape) throws SQLException;

    /** Inserts {@code rows} (values in the order of the shape's columns) into the shape's table, in the open transaction. */
    void insert(Connection conn, TableShape shape, List<Object[]> rows) throws SQLException;
}
