package io.logbunker.connect.source;

import io.logbunker.connect.source.format.LineFields;
import io.logbunker.connect.source.format.LogFormat;
import io.logbunker.connect.source.tail.FileDimensions;
import io.logbunker.connect.source.tail.PathDimensions;
import io.logbunker.connect.source.window.AggregateRow;
import io.logbunker.connect.source.window.MetricSpec;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** path.dimensions: its syntax and clashes are errors on the field itself; its names become key fields before group.by. */
class PathDimensionsValidationTest {
    private static List<String> errors(String regex, String groupBy, String hostName) {
        Map<String, String> c = new HashMap<>();
        c.put("files", System.getProperty("java.io.tmpdir") + "/logbunker-validate/*/access.log*");
        c.put("topic", "t");
        c.put("group.by", groupBy);
        c.put("host.name", hostName);
        c.put("path.dimensions", regex);
        for (ConfigValue v : new AccessLogSourceConnector().validate(c).configValues()) {
            if (v.name().equals("path.dimensions")) {
                return v.errorMessages();
            }
        }
        throw new AssertionError("no path.dimensions in the validation result");
    }

    @Test
    void badExpressionsAndClashesAreErrorsOnTheField() {
        assertTrue(errors("/logs/(?<host>[^/]+", "status", "").get(0).contains("not a regular expression"));
        assertTrue(errors("/logs/([^/]+)/", "status", "").get(0).contains("no named group"));
        assertTrue(errors("/logs/(?<Host>[^/]+)/", "status", "").get(0).contains("lower case"));
        assertTrue(errors("/logs/(?<status>[^/]+)/", "status", "").get(0).contains("also a group.by field"));
        assertTrue(errors("/logs/(?<requests>[^/]+)/", "status", "").get(0).contains("field of the records"));
        assertEquals(List.of(), errors("/logs/(?<host>[^/]+)/", "status", "web-1"), "the path's host where it matches, else host.name");
        assertEquals(List.of(), errors("/logs/(?<host>[^/]+)/", "status", ""), "the host from the path instead of host.name");
        assertEquals(List.of(), errors("/(?<dc>[a-z]+)-(?<host>[a-z0-9-]+)/(?<=/)", "status,arg_ev", ""));
        assertEquals(List.of(), errors("", "status", ""));
    }

    @Test
    void valuesComeFromTheAbsolutePathInTheExpressionsOrder() {
        PathDimensions d = PathDimensions.parse("/mnt/(?<dc>[a-z]+)/(?<host>[^/]+)/(?<!x)");
        assertEquals(List.of("dc", "host"), d.names(), "a lookbehind is not a group");
        assertEquals(List.of("fra", "web-07"), d.valuesOf(Paths.get("/mnt/fra/web-07/access.log.1")));
        assertEquals(List.of("-", "-"), d.valuesOf(Paths.get("/var/log/nginx/access.log")));
        assertTrue(!d.matches(Paths.get("/var/log/nginx/access.log")));
        assertThrows(IllegalArgumentException.class, () -> PathDimensions.parse("\\(?<x>a)"));
    }

    @Test
    void pathDimensionsAreKeyFieldsAfterHostAndBeforeTheGroupByFields() {
        LineFields fields = new LineFields(LogFormat.compile("combined"));
        MetricSpec none = MetricSpec.parse("", LogFormat.compile("combined"), 0.01, 0.001);
        AggregateSchemas schemas = new AggregateSchemas(List.of("dc", "server"), List.of("status"), fields, none);
        assertEquals(List.of("window_start", "dc", "server", "status"), schemas.keySchema.fields().stream().map(Field::name).toList());
        AggregateRow row = new AggregateRow(0, 60_000, List.of("fra", "web-07", "200"), 3, 30, List.of());
        Struct key = schemas.key(row);
        assertEquals("fra", key.get("dc"));
        assertEquals("web-07", key.get("server"));
        assertEquals("200", key.get("status"));
        assertEquals("key", schemas.valueSchema.field("server").schema().parameters().get("merge"));
    }

    @Test
    void theHostComesFromThePathWhereItMatchesElseFromHostNameAndLeadsTheKey() {
        FileDimensions d = new FileDimensions(PathDimensions.parse("^/var/log/adopted/(?<host>[^/]+)/(?<vhost>[^/]*)"), "web-1");
        assertEquals(List.of("host", "vhost"), d.names());
        assertEquals(List.of("web-2", "shop"), d.valuesOf(Paths.get("/var/log/adopted/web-2/shop/access.log")), "the dead host's file");
        assertEquals(List.of("web-1", "-"), d.valuesOf(Paths.get("/var/log/nginx/access.log")), "this host's own file");
        FileDimensions fromPathOnly = new FileDimensions(PathDimensions.parse("^/mnt/(?<dc>[a-z]+)/(?<host>[^/]+)/"), "");
        assertEquals(List.of("host", "dc"), fromPathOnly.names(), "host first, like host.name's");
        assertEquals(List.of("web-07", "fra"), fromPathOnly.valuesOf(Paths.get("/mnt/fra/web-07/access.log")));
        assertEquals(List.of("-", "-"), fromPathOnly.valuesOf(Paths.get("/elsewhere/access.log")));
        assertEquals(List.of("host"), new FileDimensions(PathDimensions.NONE, "web-1").names());
        assertEquals(List.of(), FileDimensions.NONE.valuesOf(Paths.get("/var/log/nginx/access.log")));
    }

    @Test
    void anIdentityIsQualifiedByTheFilesKeyFieldsSoTwoHostsNeverShareAnOffset() {
        assertEquals("abc", FileDimensions.qualify("abc", List.of()));
        assertEquals("abc@web-1/shop", FileDimensions.qualify("abc", List.of("web-1", "shop")));
        assertEquals("abc", FileDimensions.contentIdentity("abc@web-1/shop"));
        assertEquals("abc", FileDimensions.contentIdentity("abc"));
    }

    @Test
    void anUnresolvedHostPlaceholderAndABadLockFileAreErrorsOnTheirFields() {
        Map<String, String> c = new HashMap<>();
        c.put("files", System.getProperty("java.io.tmpdir") + "/logbunker-validate/access.log*");
        c.put("topic", "t");
        c.put("host.name", "${env:HOSTNAME}");
        c.put("files.fence.lock", "a/b");
        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigValue v : new AccessLogSourceConnector().validate(c).configValues()) {
            errors.put(v.name(), v.errorMessages());
        }
        assertTrue(errors.get("host.name").get(0).contains("EnvVarConfigProvider"), errors.get("host.name").toString());
        assertTrue(errors.get("files.fence.lock").get(0).contains("without '/'"), errors.get("files.fence.lock").toString());
        c.put("files.fence.lock", ".logbunker.lock");
        c.put("tasks.max", "3");
        for (ConfigValue v : new AccessLogSourceConnector().validate(c).configValues()) {
            errors.put(v.name(), v.errorMessages());
        }
        assertTrue(errors.get("files.fence.lock").get(0).contains("tasks.max=3"), errors.get("files.fence.lock").toString());
        c.put("tasks.max", "1");
        c.put("host.name", "web-1");
        for (ConfigValue v : new AccessLogSourceConnector().validate(c).configValues()) {
            errors.put(v.name(), v.errorMessages());
        }
        assertEquals(List.of(), errors.get("files.fence.lock"));
        assertEquals(List.of(), errors.get("host.name"));
    }
}
