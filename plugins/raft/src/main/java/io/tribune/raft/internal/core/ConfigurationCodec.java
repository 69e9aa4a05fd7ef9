package io.tribune.raft.internal.core;

import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.CorruptionException;
import io.tribune.api.transport.Endpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Encodes a configuration (the servers of the cluster) for CONFIGURATION log entries and snapshot
 * metadata: a version byte, a count, then id, host, port and voter flag of each server. Pure.
 */
public final class ConfigurationCodec {
    private static final int VERSION = 1;
    /** Bound on servers in one configuration, so a corrupt count cannot exhaust memory. */
    public static final int MAX_SERVERS = 1024;

    private ConfigurationCodec() {
    }

    /** Encodes {@code servers}. */
    public static byte[] encode(List<ServerInfo> servers) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeInt(servers.size());
            for (ServerInfo s : servers) {
                out.writeUTF(s.id());
                out.writeUTF(s.endpoint().host());
                out.writeInt(s.endpoint().port());
                out.writeBoolean(s.voter());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes a configuration; empty input is the empty configuration.
     *
     * @throws CorruptionException naming {@code where} when the bytes are not a configuration
     */
    public static List<ServerInfo> decode(byte[] data, String where) {
        if (data.length == 0) {
            return List.of();
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new CorruptionException(where + ": unknown configuration encoding version " + version);
            }
            int n = in.readInt();
            if (n < 0 || n > MAX_SERVERS) {
                throw new CorruptionException(where + ": configuration holds " + n + " servers");
            }
            List<ServerInfo> servers = new ArrayList<>(n);
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                String host = in.readUTF();
                int port = in.readInt();
                boolean voter = in.readBoolean();
                if (!ids.add(id)) {
                    throw new CorruptionException(where + ": server '" + id + "' appears twice");
                }
                servers.add(new ServerInfo(id, new Endpoint(host, port), voter));
            }
            if (in.available() != 0) {
                throw new CorruptionException(where + ": trailing bytes after the configuration");
            }
            return List.copyOf(servers);
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptionException(where + ": undecodable configuration: " + e.getMessage(), e);
        }
    }

    /** Checks that {@code servers} is a usable configuration: unique ids, at least one voter. */
    public static void validate(List<ServerInfo> servers) {
        if (servers.size() > MAX_SERVERS) {
            throw new IllegalArgumentException("a configuration holds at most " + MAX_SERVERS + " servers");
        }
        Set<String> ids = new HashSet<>();
        boolean voter = false;
        for (ServerInfo s : servers) {
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException("server id '" + s.id() + "' appears twice in " + servers);
            }
            if (s.id().isEmpty() || s.id().length() > 256) {
                throw new IllegalArgumentException("server id must be 1..256 characters, got '" + s.id() + "'");
            }
            voter |= s.voter();
        }
        if (!voter) {
            throw new IllegalArgumentException("a configuration needs at least one voter: " + servers);
        }
    }
}
