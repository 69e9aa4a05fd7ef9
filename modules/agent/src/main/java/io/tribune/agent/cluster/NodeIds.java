package io.tribune.agent.cluster;


import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Node IDs: a stable UUID derived from the node name (Consul generates and persists a random one). */
public final class NodeIds {
    private NodeIds() {
    }

    /** The node ID of {@code nodeName}: the same on every agent that computes it. */
    public static String of(String nodeName) {
        return UUID.nameUUIDFromBytes(("tribune-node:" + nodeName).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
