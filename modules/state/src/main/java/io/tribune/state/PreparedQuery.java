package io.tribune.state;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A prepared query (Consul 1.4's {@code /v1/query} object): a stored service lookup with health
 * and tag filters, a failover policy to other datacenters and DNS options, found by ID or by name,
 * or, for a template, by any name starting with its name.
 *
 * <p>Immutable; lists and maps are copied (maps into key order, so that encoding and equality do
 * not depend on hash order). Texts are never null ("" when absent).
 *
 * @param id          the query's ID, a UUID chosen by the server that created it
 * @param name        optional name; unique among queries, and never another query's ID
 * @param session     optional session ID: the query is deleted when that session is invalidated
 * @param token       optional ACL token used when the query is executed ("" for the caller's)
 * @param template    template settings; {@link Template#NONE} for a static query
 * @param service     what the query looks up
 * @param dnsTtl      the TTL of DNS answers, a Go-style duration ("10s"), or "" for the agent's
 * @param createIndex index that created it; set by apply
 * @param modifyIndex index that last changed it; set by apply
 */
public record PreparedQuery(String id, String name, String session, String token, Template template,
                            ServiceQuery service, String dnsTtl, long createIndex, long modifyIndex) {

    /** Replaces null texts with "" and checks the parts are present. */
    public PreparedQuery {
        Objects.requireNonNull(id, "id");
        name = name == null ? "" : name;
        session = session == null ? "" : session;
        token = token == null ? "" : token;
        template = template == null ? Template.NONE : template;
        Objects.requireNonNull(service, "service");
        dnsTtl = dnsTtl == null ? "" : dnsTtl;
    }

    /** Whether this is a template (matched by name prefix). */
    public boolean isTemplate() {
        return !template.type().isEmpty();
    }

    /**
     * The name that ACL {@code query} rules apply to, or null when none applies: the name of a
     * named query or of any template (a template with an empty name is the prefix ""); an unnamed
     * static query has none (Consul's {@code GetACLPrefix}).
     */
    public String aclPrefix() {
        return !name.isEmpty() || isTemplate() ? name : null;
    }

    /** This query with the indexes of a write. */
    public PreparedQuery withIndexes(long create, long modify) {
        return new PreparedQuery(id, name, session, token, template, service, dnsTtl, create, modify);
    }

    /** This query with another service part (a rendered template). */
    public PreparedQuery withService(ServiceQuery s) {
        return new PreparedQuery(id, name, session, token, template, s, dnsTtl, createIndex, modifyIndex);
    }

    /** This query with another token (redacted for callers who may not see it). */
    public PreparedQuery withToken(String t) {
        return new PreparedQuery(id, name, session, t, template, service, dnsTtl, createIndex, modifyIndex);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "PreparedQuery[id=" + id + ", name=" + name + ", session=" + session + ", template=" + template
                + ", service=" + service + ", dnsTtl=" + dnsTtl + ", createIndex=" + createIndex + ", modifyIndex="
                + modifyIndex + "]";
    }

    /**
     * Template settings ({@code Template}).
     *
     * @param type            "" for a static query, or {@code name_prefix_match}
     * @param regexp          optional regular expression applied to the whole name looked up; its
     *                        groups are {@code ${match(N)}}
     * @param removeEmptyTags whether tags that render to "" are dropped
     */
    public record Template(String type, String regexp, boolean removeEmptyTags) {
        /** A static query's (no template). */
        public static final Template NONE = new Template("", "", false);

        /** Replaces null texts with "". */
        public Template {
            type = type == null ? "" : type;
            regexp = regexp == null ? "" : regexp;
        }
    }

    /**
     * The service lookup ({@code Service}).
     *
     * @param service     the service name (required)
     * @param failover    where to look when no instance is healthy here
     * @param onlyPassing whether only instances whose checks all pass qualify (else passing and
     *                    warning do)
     * @param near        a node to sort by round-trip time from, {@code _agent} for the agent
     *                    executing, or ""
     * @param tags        tags every instance must have; {@code !tag} must not have
     * @param nodeMeta    metadata every node must carry
     */
    public record ServiceQuery(String service, Failover failover, boolean onlyPassing, String near, List<String> tags,
                               Map<String, String> nodeMeta) {
        /** Replaces nulls with empties and copies. */
        public ServiceQuery {
            service = service == null ? "" : service;
            failover = failover == null ? Failover.NONE : failover;
            near = near == null ? "" : near;
            tags = tags == null ? List.of() : List.copyOf(tags);
            nodeMeta = sorted(nodeMeta);
        }
    }

    /**
     * The failover policy ({@code Failover}).
     *
     * @param nearestN    how many of the nearest other datacenters to try, in round-trip order
     * @param datacenters datacenters to try after those, in this order
     */
    public record Failover(int nearestN, List<String> datacenters) {
        /** No failover. */
        public static final Failover NONE = new Failover(0, List.of());

        /** Copies the list. */
        public Failover {
            datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
        }

        /** Whether any other datacenter would be tried. */
        public boolean any() {
            return nearestN > 0 || !datacenters.isEmpty();
        }
    }

    private static Map<String, String> sorted(Map<String, String> m) {
        if (m == null || m.isEmpty()) {
            return Collections.emptySortedMap();
        }
        SortedMap<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(Objects.requireNonNull(k, "meta key"), v == null ? "" : v));
        return Collections.unmodifiableSortedMap(out);
    }
}
