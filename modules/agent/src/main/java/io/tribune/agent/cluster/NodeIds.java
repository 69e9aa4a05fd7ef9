package io.tribune.agent.cluster;


import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigKeys;
import io.tribune.api.PluginConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Node IDs. A node's ID is, in order: Consul's {@code node_id} from the config; the one kept in
 * {@code <data_dir>/node-id}; else a stable UUID derived from the node name, which is then written
 * to that file so that it survives a rename (Consul generates a random one there; deriving it
 * keeps agents without a data dir, and clusters started before node IDs were kept, on the IDs
 * they always had). The ID travels in the gossip tag {@link #TAG} so that the leader registers a
 * member under the ID its agent uses.
 *
 * <p>Stateless; thread-safe. {@link #settle} does file I/O and runs once, before the agent starts.
 */
public final class NodeIds {
    /** The gossip tag carrying a member's node ID, as Consul's. */
    public static final String TAG = "id";

    private NodeIds() {
    }

    /** The node ID derived from {@code nodeName}: the same on every agent that computes it. */
    public static String of(String nodeName) {
        return UUID.nameUUIDFromBytes(("tribune-node:" + nodeName).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The node ID of an agent's configuration: {@code node_id} (set or {@link #settle settled}), else derived. */
    public static String of(AgentConfig config) {
        return ConfigKeys.nodeId(config).orElseGet(() -> of(config.nodeName()));
    }

    /** A member's node ID: its {@link #TAG} tag when that is a UUID, else the one derived from its name. */
    public static String ofMember(String name, String tag) {
        return tag != null && ConfigKeys.nodeIdProblem(tag) == null ? tag.toLowerCase(Locale.ROOT) : of(name);
    }

    /**
     * {@code config} with its node ID decided and kept: a configured {@code node_id} is used as is
     * (and not written, as Consul); otherwise the data dir's {@code node-id} file is read, or written
     * with the derived ID when missing. Without a data dir ({@code -dev}) the derived ID is used.
     *
     * @throws ConfigException naming the file when it cannot be read or written, or holds no UUID
     */
    public static AgentConfig settle(AgentConfig config) {
        if (ConfigKeys.nodeId(config).isPresent() || config.dataDir().isEmpty()) {
            return config;
        }
        Path file = config.dataDir().get().resolve(ConfigKeys.NODE_ID_FILE);
        String id;
        try {
            if (Files.exists(file)) {
                if (Files.size(file) > 1024) {
                    throw new ConfigException("node ID file " + file + " is not a node ID (larger than 1 KiB)");
                }
                id = Files.readString(file, StandardCharsets.UTF_8).strip();
                String problem = ConfigKeys.nodeIdProblem(id);
                if (problem != null) {
                    throw new ConfigException("node ID file " + file + ": " + problem
                            + "; fix or remove the file, or set node_id");
                }
                id = id.toLowerCase(Locale.ROOT);
            } else {
                id = of(config.nodeName());
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), ".node-id", ".tmp");
                Files.writeString(tmp, id, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot keep the node ID in " + file + ": " + e.getMessage(), e);
        }
        return withNodeId(config, id);
    }

    /** {@code config} with {@code id} as its node ID property (what {@link #settle} found). */
    public static AgentConfig withNodeId(AgentConfig config, String id) {
        Map<String, String> props = new TreeMap<>(config.pluginConfig().asMap());
        props.put(ConfigKeys.NODE_ID, id);
        return config.withPluginConfig(PluginConfig.of(props));
    }
}
