package io.logbunker.connect.sink.dialect;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** SQLite has no time types: timestamps, dates and times are ISO-8601 text, which sorts and compares correctly. */
final class SqliteValueBinder extends ValueBinder {
    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

    @Override
    protected void bindTimestamp(PreparedStatement ps, int index, java.util.Date value) throws SQLException {
        ps.setString(index, ISO_MILLIS.format(utc(value)));
    }

    @Override
    protected void bindDate(PreparedStatement ps, int index, LocalDate value) throws SQLException {
        ps.setString(index, value.toString());
    }

    @Override
    protected void bindTime(PreparedStatement ps, int index, LocalTime value) throws SQLException {
        ps.setString(index, value.toString());
    }
}
