package io.tribune.state;

import java.util.List;
import java.util.Objects;

/**
 * A health check, with the fields of Consul's {@code /v1/health} JSON.
 *
 * @param node        the node ({@code Node})
 * @param checkId     the check id, unique on its node ({@code CheckID})
 * @param name        display name ({@code Name})
 * @param status      status ({@code Status})
 * @param notes       human notes ({@code Notes})
 * @param output      last output ({@code Output})
 * @param serviceId   the service instance it belongs to, or "" for a node check ({@code ServiceID})
 * @param serviceName that instance's service name, set by the store ({@code ServiceName})
 * @param serviceTags that instance's tags, set by the store ({@code ServiceTags})
 * @param type        check type, e.g. "ttl", "http" ({@code Type})
 * @param createIndex index that created it; set by the store
 * @param modifyIndex index that last changed it; set by the store
 */
public record HealthCheck(String node, String checkId, String name, HealthStatus status, String notes, String output,
                          String serviceId, String serviceName, List<String> serviceTags, String type,
                          long createIndex, long modifyIndex) {

    /**
     * The id of the node check that mirrors the node's gossip health (Consul's {@code serfHealth}):
     * written by the leader for every member of the LAN pool, and the check a session binds to when it
     * names none.
     */
    public static final String SERF_HEALTH = "serfHealth";

    /** Replaces nulls with empty values; copies the tag list. */
    public HealthCheck {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(checkId, "checkId");
        Objects.requireNonNull(status, "status");
        name = name == null || name.isEmpty() ? checkId : name;
        notes = notes == null ? "" : notes;
        output = output == null ? "" : output;
        serviceId = serviceId == null ? "" : serviceId;
        serviceName = serviceName == null ? "" : serviceName;
        serviceTags = serviceTags == null ? List.of() : List.copyOf(serviceTags);
        type = type == null ? "" : type;
    }

    /** A check to register (service name, tags and indexes are filled in by the store). */
    public static HealthCheck of(String node, String checkId, HealthStatus status, String serviceId) {
        return new HealthCheck(node, checkId, checkId, status, "", "", serviceId, "", List.of(), "", 0, 0);
    }

    /** This check with other indexes. */
    public HealthCheck withIndexes(long create, long modify) {
        return new HealthCheck(node, checkId, name, status, notes, output, serviceId, serviceName, serviceTags, type,
                create, modify);
    }

    /** This check bound to a service's name and tags. */
    public HealthCheck withService(String svcName, List<String> tags) {
        return new HealthCheck(node, checkId, name, status, notes, output, serviceId, svcName, tags, type,
                createIndex, modifyIndex);
    }

    /** Whether this check equals {@code o} apart from the indexes. */
    public boolean sameContent(HealthCheck o) {
        return withIndexes(0, 0).equals(o.withIndexes(0, 0));
    }
}
