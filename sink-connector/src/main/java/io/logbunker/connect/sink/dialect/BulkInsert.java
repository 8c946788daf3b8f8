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
     * Inserts {@code rows} (values in the order of the shape's columns) into the shape's table, in the open
     * transaction, if every column of the shape has there the type the load writes; else loads nothing and returns
     * false (a table created by someone else may declare other types, which the INSERT path casts). The table's
     * definition cannot change between that check and the load.
     */
    boolean insert(Connection conn, TableShape shape, List<Object[]> rows) throws SQLException;
}
