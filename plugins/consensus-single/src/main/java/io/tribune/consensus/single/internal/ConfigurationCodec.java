package io.tribune.consensus.single.internal;

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
import java.util.List;

/**
 * Encodes a configuration (list of servers) for configuration log entries and snapshot metadata:
 * a version byte, a server count, then id, host, port and voter flag of each server.
 */
final class ConfigurationCodec {
    private static final int VERSION = 1;
    /** Bound on servers in one configuration, so a corrupt count cannot exhaust memory. */
    static final int MAX_SERVERS = 1024;

    private ConfigurationCodec() {
    }

    static byte[] encode(List<ServerInfo> servers) {
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

    static List<ServerInfo> decode(byte[] data, String where) {
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
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                String host = in.readUTF();
                int port = in.readInt();
                boolean voter = in.readBoolean();
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
}
