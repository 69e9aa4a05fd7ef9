package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rendering of prepared-query templates: every variable, regular-expression groups, edge cases. */
class QueryTemplateTest {
    static PreparedQuery tpl(String prefix, String regexp, boolean removeEmpty, PreparedQuery.ServiceQuery s) {
        return new PreparedQuery("cccccccc-0000-0000-0000-000000000001", prefix, "", "",
                new PreparedQuery.Template(QueryTemplate.NAME_PREFIX_MATCH, regexp, removeEmpty), s, "", 0, 0);
    }

    static PreparedQuery.ServiceQuery svc(String service, List<String> tags) {
        return new PreparedQuery.ServiceQuery(service, null, false, "", tags, Map.of());
    }

    @Test
    void nameVariablesRenderTheLookedUpName() {
        QueryTemplate t = QueryTemplate.compile(tpl("geo-db", "", false,
                svc("${name.full}", List.of("${name.prefix}", "${name.suffix}", "seg-${agent.segment}"))));
        PreparedQuery r = t.render("geo-db-customer-primary", "alpha");
        assertEquals("geo-db-customer-primary", r.service().service());
        assertEquals(List.of("geo-db", "-customer-primary", "seg-alpha"), r.service().tags());
    }

    @Test
    void regexpGroupsAreMatchVariablesAndMissingOnesAreEmpty() {
        QueryTemplate t = QueryTemplate.compile(tpl("geo-db", "^geo-db-(.*?)-([^\\-]+?)$", false,
                svc("${match(1)}", List.of("${match(2)}", "${match(0)}", "[${match(7)}]"))));
        PreparedQuery r = t.render("geo-db-customer-primary", "");
        assertEquals("customer", r.service().service());
        assertEquals(List.of("primary", "geo-db-customer-primary", "[]"), r.service().tags());
        // no match: every group is ""
        PreparedQuery none = t.render("geo-db", "");
        assertEquals("", none.service().service());
        assertEquals(List.of("", "", "[]"), none.service().tags());
    }

    @Test
    void everyServiceTextIsInterpolatedAndEmptyTagsMayBeDropped() {
        PreparedQuery.ServiceQuery s = new PreparedQuery.ServiceQuery("${name.suffix}",
                new PreparedQuery.Failover(1, List.of("dc-${match(1)}")), true, "${name.suffix}-node",
                List.of("${match(2)}", "keep"), Map.of("role", "${match(1)}"));
        QueryTemplate t = QueryTemplate.compile(tpl("svc-", "^svc-([a-z]+)(-x)?", true, s));
        PreparedQuery r = t.render("svc-eu", "");
        assertEquals("eu", r.service().service());
        assertEquals(List.of("dc-eu"), r.service().failover().datacenters());
        assertEquals(1, r.service().failover().nearestN());
        assertEquals("eu-node", r.service().near());
        assertEquals(List.of("keep"), r.service().tags(), "the empty tag is dropped");
        assertEquals(Map.of("role", "eu"), r.service().nodeMeta());
        assertEquals(true, r.service().onlyPassing());
    }

    @Test
    void badTemplatesAreRefusedWhenCompiled() {
        assertThrows(IllegalArgumentException.class, () -> QueryTemplate.compile(tpl("x", "", false,
                svc("${name.full", List.of()))));
        assertThrows(IllegalArgumentException.class, () -> QueryTemplate.compile(tpl("x", "", false,
                svc("${match(x)}", List.of()))));
        assertThrows(IllegalArgumentException.class, () -> QueryTemplate.compile(tpl("x", "(", false,
                svc("a", List.of()))));
        assertThrows(IllegalArgumentException.class, () -> QueryTemplate.compile(tpl("x", "", false,
                svc("${name.full}".repeat(65), List.of()))));
    }
}
