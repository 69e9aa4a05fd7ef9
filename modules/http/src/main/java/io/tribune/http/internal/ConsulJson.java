package io.tribune.http.internal;

import io.tribune.state.BlockingWait;
import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.ServiceHealth;
import io.tribune.state.ServiceInstance;
import io.tribune.state.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of Consul's responses, field for field (names, nesting, units), built as ordered
 * maps for {@link Json}.
 */
final class ConsulJson {
    private ConsulJson() {
    }

    /** A catalog node ({@code /v1/catalog/nodes}, {@code Node} of {@code /v1/health/service}). */
    static Map<String, Object> node(Node n, String localDc) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ID", n.id());
        o.put("Node", n.node());
        o.put("Address", n.address());
        o.put("Datacenter", n.datacenter().isEmpty() ? localDc : n.datacenter());
        o.put("TaggedAddresses", n.taggedAddresses());
        o.put("Meta", n.meta());
        o.put("CreateIndex", n.createIndex());
        o.put("ModifyIndex", n.modifyIndex());
        return o;
    }

    /** A service instance as the agent and {@code /v1/catalog/node} show it. */
    static Map<String, Object> service(NodeService s, boolean withIndexes) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ID", s.id());
        o.put("Service", s.service());
        o.put("Tags", s.tags());
        o.put("Address", s.address());
        o.put("Meta", s.meta());
        o.put("Port", s.port());
        o.put("Weights", weights(s.weights()));
        o.put("EnableTagOverride", s.enableTagOverride());
        if (withIndexes) {
            o.put("CreateIndex", s.createIndex());
            o.put("ModifyIndex", s.modifyIndex());
        }
        return o;
    }

    static Map<String, Object> weights(NodeService.Weights w) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Passing", w.passing());
        o.put("Warning", w.warning());
        return o;
    }

    /** One entry of {@code /v1/catalog/service/<name>}: node and instance flattened. */
    static Map<String, Object> catalogService(ServiceInstance i, String localDc) {
        Node n = i.node();
        NodeService s = i.service();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ID", n.id());
        o.put("Node", n.node());
        o.put("Address", n.address());
        o.put("Datacenter", n.datacenter().isEmpty() ? localDc : n.datacenter());
        o.put("TaggedAddresses", n.taggedAddresses());
        o.put("NodeMeta", n.meta());
        o.put("ServiceID", s.id());
        o.put("ServiceName", s.service());
        o.put("ServiceTags", s.tags());
        o.put("ServiceAddress", s.address());
        o.put("ServiceMeta", s.meta());
        o.put("ServicePort", s.port());
        o.put("ServiceWeights", weights(s.weights()));
        o.put("ServiceEnableTagOverride", s.enableTagOverride());
        o.put("CreateIndex", s.createIndex());
        o.put("ModifyIndex", s.modifyIndex());
        return o;
    }

    /** A health check ({@code /v1/health/*}, {@code /v1/agent/checks}). */
    static Map<String, Object> check(HealthCheck c) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Node", c.node());
        o.put("CheckID", c.checkId());
        o.put("Name", c.name());
        o.put("Status", c.status().wire());
        o.put("Notes", c.notes());
        o.put("Output", c.output());
        o.put("ServiceID", c.serviceId());
        o.put("ServiceName", c.serviceName());
        o.put("ServiceTags", c.serviceTags());
        o.put("Type", c.type());
        o.put("Definition", Map.of());
        o.put("CreateIndex", c.createIndex());
        o.put("ModifyIndex", c.modifyIndex());
        return o;
    }

    static List<Map<String, Object>> checks(List<HealthCheck> cs) {
        List<Map<String, Object>> out = new ArrayList<>(cs.size());
        cs.forEach(c -> out.add(check(c)));
        return out;
    }

    /** One entry of {@code /v1/health/service/<name>}: {@code Node, Service, Checks}. */
    static Map<String, Object> serviceHealth(ServiceHealth h, String localDc) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Node", node(h.node(), localDc));
        o.put("Service", service(h.service(), true));
        o.put("Checks", checks(h.checks()));
        return o;
    }

    /**
     * A session: {@code LockDelay} in nanoseconds and {@code TTL} as a Go duration string, as
     * Consul writes them; the node checks under both their old ({@code Checks}) and new
     * ({@code NodeChecks}) names.
     */
    static Map<String, Object> session(Session s) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ID", s.id());
        o.put("Name", s.name());
        o.put("Node", s.node());
        o.put("Checks", s.nodeChecks());
        o.put("NodeChecks", s.nodeChecks());
        o.put("LockDelay", Duration.ofMillis(s.lockDelayMillis()).toNanos());
        o.put("Behavior", s.behavior().wire());
        o.put("TTL", s.hasTtl() ? BlockingWait.formatDuration(Duration.ofMillis(s.ttlMillis())) : "");
        o.put("CreateIndex", s.createIndex());
        o.put("ModifyIndex", s.modifyIndex());
        return o;
    }

    static List<Map<String, Object>> sessions(List<Session> ss) {
        List<Map<String, Object>> out = new ArrayList<>(ss.size());
        ss.forEach(s -> out.add(session(s)));
        return out;
    }

    /** A user event: {@code Payload} base64 (null when empty), {@code Version} 1. */
    static Map<String, Object> event(EventRecord e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ID", e.id());
        o.put("Name", e.name());
        byte[] p = e.payload();
        o.put("Payload", p.length == 0 ? null : Base64.getEncoder().encodeToString(p));
        o.put("NodeFilter", e.nodeFilter());
        o.put("ServiceFilter", e.serviceFilter());
        o.put("TagFilter", e.tagFilter());
        o.put("Version", 1);
        o.put("LTime", e.ltime());
        return o;
    }

    /** A coordinate entry: {@code Node, Segment, Coord{Vec, Error, Adjustment, Height}}. */
    static Map<String, Object> coordinate(Coordinate c) {
        Map<String, Object> coord = new LinkedHashMap<>();
        coord.put("Vec", c.vec());
        coord.put("Error", c.error());
        coord.put("Adjustment", c.adjustment());
        coord.put("Height", c.height());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("Node", c.node());
        o.put("Segment", c.segment());
        o.put("Coord", coord);
        return o;
    }
}
