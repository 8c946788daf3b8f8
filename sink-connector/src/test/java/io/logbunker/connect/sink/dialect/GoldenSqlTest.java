package io.logbunker.connect.sink.dialect;

import io.logbunker.connect.sink.engine.Column;
import io.logbunker.connect.sink.engine.MergeFunction;
import io.logbunker.connect.sink.engine.TableShape;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Pins every statement each dialect generates against golden files in src/test/resources/golden/<dialect>/.
 * After an intended change, regenerate with -Dgolden.update=true and review the diff.
 */
class GoldenSqlTest {
    static final TableShape SHAPE = new TableShape("access_metrics", List.of(
            new Column("window_start", Timestamp.SCHEMA, MergeFunction.KEY),
            new Column("status", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM),
            new Column("bytes_sent", Schema.OPTIONAL_INT64_SCHEMA, MergeFunction.SUM),
            new Column("request_time_min", Schema.OPTIONAL_FLOAT64_SCHEMA, MergeFunction.MIN),
            new Column("request_time_max", Schema.OPTIONAL_FLOAT64_SCHEMA, MergeFunction.MAX),
            new Column("label", Schema.OPTIONAL_STRING_SCHEMA, MergeFunction.REPLACE)));

    static final TableShape KEY_ONLY = new TableShape("seen", List.of(new Column("id", Schema.INT64_SCHEMA, MergeFunction.KEY)));

    static final TableShape HOSTILE = new TableShape("t\"; DROP TABLE x; --`", List.of(
            new Column("k`\"", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("v\"); DELETE FROM y; --", Schema.INT64_SCHEMA, MergeFunction.SUM)));

    /** A table with a histogram column, as the mapper derives it from the source's record. */
    static final TableShape HISTOGRAM = new TableShape("access_metrics", List.of(
            new Column("window_start", Timestamp.SCHEMA, MergeFunction.KEY),
            new Column("status", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM),
            new Column("request_time_histogram", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).optional().build(),
                    MergeFunction.HISTOGRAM)));

    /** Six string keys and the window: more than InnoDB's primary key holds at 191 characters each. */
    static final TableShape SIX_TEXT_KEYS = new TableShape("per_host_paths", List.of(
            new Column("window_start", Timestamp.SCHEMA, MergeFunction.KEY),
            new Column("host", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("site", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("status", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("request_method", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("uri", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("arg_ad", Schema.STRING_SCHEMA, MergeFunction.KEY),
            new Column("requests", Schema.INT64_SCHEMA, MergeFunction.SUM)));

    private static Dialect dialect(String name) {
        switch (name) {
            case "postgresql":
                return new PostgresDialect();
            case "mysql":
                return new MySqlDialect();
            default:
                return new SqliteDialect();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mysql", "sqlite"})
    void statementsMatchTheGoldenFiles(String name) throws IOException {
        Dialect d = dialect(name);
        check(name, "create_table.sql", d.createTable(SHAPE));
        check(name, "create_table_six_text_keys.sql", d.createTable(SIX_TEXT_KEYS));
        check(name, "add_column.sql", d.addColumn("access_metrics", new Column("request_time_sum", Schema.OPTIONAL_FLOAT64_SCHEMA,
                MergeFunction.SUM)));
        check(name, "add_text_column.sql", d.addColumn("access_metrics", new Column("referer", Schema.OPTIONAL_STRING_SCHEMA,
                MergeFunction.REPLACE)));
        check(name, "upsert_2_rows.sql", d.upsert(SHAPE, 2));
        check(name, "upsert_key_only.sql", d.upsert(KEY_ONLY, 1));
        check(name, "upsert_hostile_names.sql", d.upsert(HOSTILE, 1));
        check(name, "delete.sql", d.delete(SHAPE));
        String arrays = d.upsertFromArrays(SHAPE);
        if (arrays != null) {
            check(name, "upsert_arrays.sql", arrays);
            check(name, "insert_arrays.sql", d.insertFromArrays(SHAPE));
        }
        if (d.bulkInsert() instanceof PostgresCopy copy) {
            check(name, "copy_in.sql", copy.sql(SHAPE));
            check(name, "histogram_copy_in.sql", copy.sql(HISTOGRAM));
            check(name, "copy_lock.sql", copy.lock(SHAPE));
            check(name, "copy_column_types.sql", PostgresCopy.COLUMN_TYPES);
        }
        check(name, "histogram_create_table.sql", d.createTable(HISTOGRAM));
        check(name, "histogram_upsert_2_rows.sql", d.upsert(HISTOGRAM, 2));
        if (d.upsertFromArrays(HISTOGRAM) != null) {
            check(name, "histogram_upsert_arrays.sql", d.upsertFromArrays(HISTOGRAM));
        }
        if (!d.histogramSupport().isEmpty()) {
            check(name, "histogram_support.sql", String.join(";\n", d.histogramSupport()));
        }
        String t = HISTOGRAM.table();
        String h = "request_time_histogram";
        check(name, "quantile_one_window_and_group.sql", QuantileSql.render(d, t, h, 0.01, List.of("window_start", "status"), false,
                List.of(), QuantileSql.Period.NONE));
        check(name, "quantile_over_a_range_of_windows.sql", QuantileSql.render(d, t, h, 0.01, List.of("status"), true, List.of(),
                QuantileSql.Period.NONE));
        check(name, "quantile_per_hour_and_status.sql", QuantileSql.render(d, t, h, 0.01, List.of(), true, List.of("status"),
                QuantileSql.Period.HOUR));
        check(name, "quantile_per_day.sql", QuantileSql.render(d, t, h, 0.01, List.of(), false, List.of(), QuantileSql.Period.DAY));
        check(name, "offsets_create.sql", d.createOffsetsTable("logbunker_sink_offsets"));
        check(name, "offsets_insert_if_absent.sql", d.insertOffsetIfAbsent("logbunker_sink_offsets"));
        check(name, "offsets_lock.sql", d.lockOffset("logbunker_sink_offsets"));
        check(name, "offsets_update.sql", d.updateOffset("logbunker_sink_offsets"));
    }

    private static void check(String dialect, String file, String actual) throws IOException {
        String resource = "/golden/" + dialect + "/" + file;
        if (Boolean.getBoolean("golden.update")) {
            Path p = Paths.get("src/test/resources" + resource);
            Files.createDirectories(p.getParent());
            Files.writeString(p, actual + "\n");
            return;
        }
        try (InputStream in = GoldenSqlTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "missing golden file " + resource + " (run with -Dgolden.update=true once)");
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim(), actual, resource);
        }
    }
}
