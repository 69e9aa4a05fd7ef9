package io.tribune.agent.api;


import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Node IDs: a stable UUID derived from the node name (Consul generates and persists a random one). */
final class NodeIds {
    private NodeIds() {
    }

    static String of(String nodeName) {
        return UUID.nameUUIDFromBytes(("tribune-node:" + nodeName).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
