package io.tribune.agent.rpc;

import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Operator operations: the Raft configuration and the gossip keyring (Consul's {@code Operator.*}). */
public final class Operator {
    /** Longest keyring key accepted, in characters (a 32-byte key is 44). */
    public static final int MAX_KEY_CHARS = 64;

    private Operator() {
    }

    /** The Raft configuration as the leader knows it; the answer's index is the barrier's. */
    public record RaftConfiguration() implements Op.Read<RaftServers> {
    }

    /**
     * The servers of a Raft configuration, as the answering server knows them.
     *
     * @param servers in configuration order
     * @param term    the answering server's current term
     */
    public record RaftServers(List<RaftServer> servers, long term) {
        public RaftServers {
            servers = List.copyOf(servers);
        }
    }

    /**
     * One server of the configuration.
     *
     * @param id      its server id (the node name)
     * @param nodeId  its node ID (a UUID derived from the node name)
     * @param address its server RPC address, {@code host:port}
     * @param leader  whether it leads
     * @param voter   whether it votes
     */
    public record RaftServer(String id, String nodeId, String address, boolean leader, boolean voter) {
        public RaftServer {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * Removes a server from the Raft configuration, named by its id (node name or node ID) or by its
     * address ({@code host:port}); exactly one must be given. Runs on the leader.
     */
    public record RaftRemovePeer(Optional<String> id, Optional<String> address) implements Op.Write<Boolean> {
        public RaftRemovePeer {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(address, "address");
            id = id.filter(s -> !s.isEmpty());
            address = address.filter(s -> !s.isEmpty());
            if (id.isPresent() == address.isPresent()) {
                throw AgentException.badRequest(
                        "Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
            }
            id.ifPresent(s -> Fields.name("server ID", s));
            address.ifPresent(s -> Fields.name("server address", s));
        }
    }

    /** What a keyring operation does. */
    public enum KeyringVerb {
        /** List every member's keys. */
        LIST,
        /** Install a key for decryption everywhere. */
        INSTALL,
        /** Make an installed key the primary (encrypting) key everywhere. */
        USE,
        /** Remove a key that no member encrypts with. */
        REMOVE
    }

    /**
     * A gossip keyring operation on every member of the LAN pool (or, with {@code localOnly}, on this
     * agent alone), fanned out by the agent that receives it.
     *
     * @param verb      what to do
     * @param key       the base64 AES key (16, 24 or 32 bytes) for every verb but {@code LIST}, which
     *                  takes ""; kept in canonical padded base64
     * @param localOnly act on the receiving agent only
     */
    public record Keyring(KeyringVerb verb, String key, boolean localOnly)
            implements Op.LocalOp<io.tribune.agent.cluster.KeyringResult> {
        public Keyring {
            Objects.requireNonNull(verb, "verb");
            Objects.requireNonNull(key, "key");
            if (verb == KeyringVerb.LIST) {
                key = "";
            } else {
                key = canonicalKey(key);
            }
        }

        @Override
        public String toString() {
            // Never print a key.
            return "Keyring[" + verb + (localOnly ? ", local only" : "") + "]";
        }
    }

    /**
     * {@code key} in canonical padded base64, checked to be an AES key of 16, 24 or 32 bytes; the
     * message never echoes the key.
     */
    static String canonicalKey(String key) {
        String k = key.trim();
        if (k.isEmpty()) {
            throw AgentException.badRequest("missing or empty \"Key\": expected {\"Key\": \"<base64 key>\"}");
        }
        if (k.length() > MAX_KEY_CHARS) {
            throw AgentException.badRequest("\"Key\" is longer than " + MAX_KEY_CHARS + " characters");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(k);
        } catch (IllegalArgumentException ex) {
            throw AgentException.badRequest("\"Key\" is not valid base64");
        }
        if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
            throw AgentException.badRequest("\"Key\" must be an AES key of 16, 24 or 32 bytes, got " + raw.length);
        }
        return Base64.getEncoder().encodeToString(raw);
    }
}
