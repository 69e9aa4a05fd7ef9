package io.tribune.state;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A catalog node, with the fields of Consul's {@code /v1/catalog/nodes} JSON.
 *
 * @param id              the node's UUID ({@code ID}), or ""
 * @param node            the node name ({@code Node}); the primary key
 * @param address         its address ({@code Address})
 * @param datacenter      its datacenter ({@code Datacenter})
 * @param taggedAddresses extra addresses by tag ({@code TaggedAddresses}); sorted, immutable
 * @param meta            node metadata ({@code Meta}); sorted, immutable
 * @param createIndex     index that created it ({@code CreateIndex}); set by the store
 * @param modifyIndex     index that last changed it ({@code ModifyIndex}); set by the store
 */
public record Node(String id, String node, String address, String datacenter, Map<String, String> taggedAddresses,
                   Map<String, String> meta, long createIndex, long modifyIndex) {

    /** Replaces nulls with empty values and copies the maps into sorted immutable ones. */
    public Node {
        id = id == null ? "" : id;
        Objects.requireNonNull(node, "node");
        address = address == null ? "" : address;
        datacenter = datacenter == null ? "" : datacenter;
        taggedAddresses = sorted(taggedAddresses);
        meta = sorted(meta);
    }

    /** A node to register (indexes are assigned by the store). */
    public static Node of(String name, String address) {
        return new Node("", name, address, "", Map.of(), Map.of(), 0, 0);
    }

    /** This node with other indexes. */
    public Node withIndexes(long create, long modify) {
        return new Node(id, node, address, datacenter, taggedAddresses, meta, create, modify);
    }

    /** Whether the node's meta contains every pair of {@code filter}. */
    public boolean matchesMeta(Map<String, String> filter) {
        for (Map.Entry<String, String> e : filter.entrySet()) {
            if (!e.getValue().equals(meta.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether this node equals {@code o} apart from the indexes. */
    public boolean sameContent(Node o) {
        return withIndexes(0, 0).equals(o.withIndexes(0, 0));
    }

    static Map<String, String> sorted(Map<String, String> m) {
        if (m == null || m.isEmpty()) {
            return Map.of();
        }
        return java.util.Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
