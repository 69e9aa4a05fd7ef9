package io.tribune.api.consensus;

import io.tribune.api.transport.Endpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The binary encoding of a consensus configuration: the servers a CONFIGURATION log entry (or a
 * snapshot's {@code configuration} metadata) holds. Consensus plugins share it, so the bytes a
 * plugin writes into a log or a snapshot mean the same to every plugin and tool.
 *
 * <p><b>Format, version 1</b> (big-endian, as {@link java.io.DataOutput} writes it):
 * <pre>
 *   u8   version = 1
 *   i32  count                      0..{@value #MAX_SERVERS}
 *   count times:
 *     utf  id                       1..{@value #MAX_ID_LENGTH} characters (u16 length + modified UTF-8)
 *     utf  host                     1..{@value #MAX_HOST_LENGTH} characters
 *     i32  port                     0..65535
 *     u8   voter                    0 or 1
 * </pre>
 * An empty byte array stands for the empty configuration (a snapshot stored without one). Ids
 * are unique within a configuration; the order of the servers is kept.
 *
 * <p><b>Errors.</b> {@link #encode} and {@link #decode} refuse what breaks the format or its
 * bounds with an {@link IllegalArgumentException} that says what is wrong (and where, with
 * {@link #decode(byte[], String)}); decoding allocates nothing beyond what the input's own size
 * allows. {@link #validate} adds the rules for a configuration a cluster may adopt.
 *
 * <p>Stateless and thread-safe.
 */
public final class ServerConfigurations {
    /** The encoding's version byte. */
    public static final int VERSION = 1;
    /** Most servers in one configuration. */
    public static final int MAX_SERVERS = 1024;
    /** Longest server id, in characters. */
    public static final int MAX_ID_LENGTH = 256;
    /** Longest host, in characters (a DNS name has at most 253). */
    public static final int MAX_HOST_LENGTH = 255;
    // version + count, and the least one server takes: two empty-length strings, port, voter.
    private static final int HEADER_BYTES = 5;
    private static final int MIN_SERVER_BYTES = 2 + 2 + 4 + 1;

    private ServerConfigurations() {
    }

    /**
     * Encodes {@code servers} in their order.
     *
     * @throws IllegalArgumentException when there are more than {@value #MAX_SERVERS} servers, an
     *                                  id is empty, too long or repeated, or a host is too long
     */
    public static byte[] encode(List<ServerInfo> servers) {
        Objects.requireNonNull(servers, "servers");
        checkShape(servers);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(HEADER_BYTES + 32 * servers.size());
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
            // A ByteArrayOutputStream does not fail; the bounds above keep every string encodable.
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes a configuration; an empty array is the empty configuration.
     *
     * @return the servers, in encoded order, as an unmodifiable list
     * @throws IllegalArgumentException when {@code data} is not a version-1 configuration within
     *                                  the bounds above: unknown version, a count out of range or
     *                                  larger than the bytes could hold, a truncated field, an id
     *                                  or host out of bounds, a bad port, a voter flag other than
     *                                  0 or 1, a repeated id, or trailing bytes
     */
    public static List<ServerInfo> decode(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length == 0) {
            return List.of();
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw malformed("unknown version " + version + " (expected " + VERSION + ")");
            }
            int n = in.readInt();
            if (n < 0 || n > MAX_SERVERS) {
                throw malformed("holds " + n + " servers, outside 0.." + MAX_SERVERS);
            }
            if ((long) n * MIN_SERVER_BYTES > in.available()) {
                throw malformed("claims " + n + " servers in " + in.available() + " bytes");
            }
            List<ServerInfo> servers = new ArrayList<>(n);
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                String host = in.readUTF();
                int port = in.readInt();
                int voter = in.readUnsignedByte();
                if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
                    throw malformed("server " + i + " has an id of " + id.length() + " characters, outside 1.."
                            + MAX_ID_LENGTH);
                }
                if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
                    throw malformed("server '" + id + "' has a host of " + host.length() + " characters, outside 1.."
                            + MAX_HOST_LENGTH);
                }
                if (port < 0 || port > 65535) {
                    throw malformed("server '" + id + "' has port " + port + ", outside 0..65535");
                }
                if (voter > 1) {
                    throw malformed("server '" + id + "' has voter flag " + voter + ", not 0 or 1");
                }
                if (!ids.add(id)) {
                    throw malformed("server '" + id + "' appears twice");
                }
                servers.add(new ServerInfo(id, new Endpoint(host, port), voter == 1));
            }
            if (in.available() != 0) {
                throw malformed(in.available() + " trailing bytes after " + n + " servers");
            }
            return List.copyOf(servers);
        } catch (EOFException e) {
            throw malformed("truncated after " + data.length + " bytes");
        } catch (IOException e) {
            // readUTF's malformed modified UTF-8.
            throw malformed("undecodable text: " + e.getMessage());
        }
    }

    /**
     * {@link #decode(byte[])}, with {@code where} (e.g. "log entry 42", "snapshot 7-1200") at the
     * start of the error message.
     */
    public static List<ServerInfo> decode(byte[] data, String where) {
        try {
            return decode(data);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that {@code servers} is a configuration a cluster may adopt (bootstrap, or a change):
     * encodable (see {@link #encode}) and with at least one voter.
     *
     * @throws IllegalArgumentException naming the first rule broken
     */
    public static void validate(List<ServerInfo> servers) {
        Objects.requireNonNull(servers, "servers");
        checkShape(servers);
        if (servers.stream().noneMatch(ServerInfo::voter)) {
            throw new IllegalArgumentException("a configuration needs at least one voter: " + servers);
        }
    }

    private static void checkShape(List<ServerInfo> servers) {
        if (servers.size() > MAX_SERVERS) {
            throw new IllegalArgumentException("a configuration holds at most " + MAX_SERVERS + " servers, got "
                    + servers.size());
        }
        Set<String> ids = new HashSet<>();
        for (ServerInfo s : servers) {
            Objects.requireNonNull(s, "server");
            if (s.id().isEmpty() || s.id().length() > MAX_ID_LENGTH) {
                throw new IllegalArgumentException("server id must be 1.." + MAX_ID_LENGTH + " characters, got '"
                        + s.id() + "'");
            }
            if (s.endpoint().host().length() > MAX_HOST_LENGTH) {
                throw new IllegalArgumentException("host of server '" + s.id() + "' exceeds " + MAX_HOST_LENGTH
                        + " characters");
            }
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException("server id '" + s.id() + "' appears twice in " + servers);
            }
        }
    }

    private static IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException("malformed server configuration: " + what);
    }
}
