package io.tribune.state;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A service instance registered on a node, with the fields of Consul's service JSON.
 *
 * @param id                the instance id, unique on its node ({@code ID})
 * @param service           the service name ({@code Service})
 * @param tags              tags ({@code Tags}); immutable
 * @param address           the instance address, or "" for the node's ({@code Address})
 * @param meta              metadata ({@code Meta}); sorted, immutable
 * @param port              the port ({@code Port}), 0..65535
 * @param weights           DNS SRV weights ({@code Weights})
 * @param enableTagOverride whether anti-entropy keeps catalog-side tag changes
 *                          ({@code EnableTagOverride})
 * @param createIndex       index that created it; set by the store
 * @param modifyIndex       index that last changed it; set by the store
 */
public record NodeService(String id, String service, List<String> tags, String address, Map<String, String> meta,
                          int port, Weights weights, boolean enableTagOverride, long createIndex,
                          long modifyIndex) {

    /**
     * SRV weights ({@code Weights}).
     *
     * @param passing weight while passing (default 1)
     * @param warning weight while warning (default 1)
     */
    public record Weights(int passing, int warning) {
        /** Consul's default weights. */
        public static final Weights DEFAULT = new Weights(1, 1);
    }

    /** Replaces nulls with defaults; copies collections. */
    public NodeService {
        Objects.requireNonNull(service, "service");
        id = id == null || id.isEmpty() ? service : id;
        tags = tags == null ? List.of() : List.copyOf(tags);
        address = address == null ? "" : address;
        meta = Node.sorted(meta);
        weights = weights == null ? Weights.DEFAULT : weights;
    }

    /** An instance to register (id defaults to the name). */
    public static NodeService of(String id, String service, int port, String... tags) {
        return new NodeService(id, service, List.of(tags), "", Map.of(), port, Weights.DEFAULT, false, 0, 0);
    }

    /** This instance with other indexes. */
    public NodeService withIndexes(long create, long modify) {
        return new NodeService(id, service, tags, address, meta, port, weights, enableTagOverride, create, modify);
    }

    /** Whether this instance equals {@code o} apart from the indexes. */
    public boolean sameContent(NodeService o) {
        return withIndexes(0, 0).equals(o.withIndexes(0, 0));
    }
}
