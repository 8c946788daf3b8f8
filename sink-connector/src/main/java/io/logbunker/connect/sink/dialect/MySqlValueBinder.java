package io.logbunker.connect.sink.dialect;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** MySQL and MariaDB DATETIME has no zone: timestamps are bound as UTC local date-times. */
final class MySqlValueBinder extends ValueBinder {

    @Override
    protected void bindTimestamp(PreparedStatement ps, int index, java.util.Date value) throws SQLException {
        ps.setObject(index, utc(value));
    }
}
