package io.tribune.raft.internal.driver;

import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.raft.internal.core.Message;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tribune's compact binary encoding of Raft messages: a call carries a version byte, the sender's
 * endpoint and a counted list of messages, each a type byte, sender, receiver, term and the
 * type's fields (big-endian, strings as modified UTF-8). Every count and length is checked
 * against the bytes that remain, so a malformed request fails with a clear error and allocates
 * nothing large.
 */
final class WireCodec {
    static final int VERSION = 1;
    static final int MAX_MESSAGES = 4096;
    static final int MAX_ENTRIES = 65_536;

    private static final int T_VOTE = 1;
    private static final int T_VOTE_RESP = 2;
    private static final int T_APPEND = 3;
    private static final int T_APPEND_RESP = 4;
    private static final int T_HEARTBEAT = 5;
    private static final int T_SNAPSHOT = 6;
    private static final int T_TIMEOUT_NOW = 7;
    private static final int T_READ_INDEX = 8;
    private static final int T_READ_INDEX_RESP = 9;

    private WireCodec() {
    }

    /** A decoded call: who sent it and what. */
    record Envelope(Endpoint sender, List<Message> messages) {
    }

    static byte[] encode(Endpoint sender, List<Message> messages) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeUTF(sender.host());
            out.writeInt(sender.port());
            out.writeInt(messages.size());
            for (Message m : messages) {
                writeMessage(out, m);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Encoded size of one message, for packing calls under the transport's limit. */
    static int sizeOf(Message m) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            writeMessage(new DataOutputStream(bytes), m);
            return bytes.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeMessage(DataOutputStream out, Message m) throws IOException {
        if (m instanceof Message.RequestVote v) {
            head(out, T_VOTE, m);
            out.writeLong(v.lastLogIndex());
            out.writeLong(v.lastLogTerm());
            out.writeBoolean(v.preVote());
            out.writeBoolean(v.transfer());
        } else if (m instanceof Message.RequestVoteResponse v) {
            head(out, T_VOTE_RESP, m);
            out.writeBoolean(v.granted());
            out.writeBoolean(v.preVote());
        } else if (m instanceof Message.AppendEntries a) {
            head(out, T_APPEND, m);
            out.writeLong(a.prevLogIndex());
            out.writeLong(a.prevLogTerm());
            out.writeLong(a.leaderCommit());
            out.writeLong(a.context());
            out.writeInt(a.entries().size());
            for (LogEntry e : a.entries()) {
                out.writeLong(e.index());
                out.writeLong(e.term());
                out.writeByte(e.kind().ordinal());
                out.writeInt(e.data().length);
                out.write(e.data());
            }
        } else if (m instanceof Message.AppendEntriesResponse r) {
            head(out, T_APPEND_RESP, m);
            out.writeBoolean(r.success());
            out.writeLong(r.index());
            out.writeLong(r.hintIndex());
            out.writeLong(r.context());
            out.writeBoolean(r.heartbeat());
        } else if (m instanceof Message.Heartbeat h) {
            head(out, T_HEARTBEAT, m);
            out.writeLong(h.commit());
            out.writeLong(h.context());
        } else if (m instanceof Message.InstallSnapshot s) {
            head(out, T_SNAPSHOT, m);
            out.writeLong(s.index());
            out.writeLong(s.snapshotTerm());
            byte[] c = ServerConfigurations.encode(s.configuration());
            out.writeInt(c.length);
            out.write(c);
        } else if (m instanceof Message.TimeoutNow) {
            head(out, T_TIMEOUT_NOW, m);
        } else if (m instanceof Message.ReadIndex r) {
            head(out, T_READ_INDEX, m);
            out.writeLong(r.id());
            out.writeBoolean(r.lease());
        } else if (m instanceof Message.ReadIndexResponse r) {
            head(out, T_READ_INDEX_RESP, m);
            out.writeLong(r.id());
            out.writeLong(r.index());
            out.writeBoolean(r.ok());
            out.writeLong(r.commit());
        } else {
            throw new IllegalArgumentException("unknown message " + m);
        }
    }

    private static void head(DataOutputStream out, int type, Message m) throws IOException {
        out.writeByte(type);
        out.writeUTF(m.from());
        out.writeUTF(m.to());
        out.writeLong(m.term());
    }

    /**
     * Decodes a call.
     *
     * @throws IllegalArgumentException describing the first malformed field
     */
    static Envelope decode(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("raft wire version " + version + " is not supported (expected "
                        + VERSION + ")");
            }
            Endpoint sender = new Endpoint(in.readUTF(), in.readInt());
            int n = in.readInt();
            if (n < 0 || n > MAX_MESSAGES) {
                throw new IllegalArgumentException("raft call holds " + n + " messages (at most " + MAX_MESSAGES + ")");
            }
            List<Message> messages = new ArrayList<>(Math.min(n, 64));
            for (int i = 0; i < n; i++) {
                messages.add(readMessage(in));
            }
            if (in.available() != 0) {
                throw new IllegalArgumentException("raft call has " + in.available() + " trailing bytes");
            }
            return new Envelope(sender, messages);
        } catch (IOException e) {
            throw new IllegalArgumentException("raft call is truncated or malformed: " + e.getMessage(), e);
        }
    }

    private static Message readMessage(DataInputStream in) throws IOException {
        int type = in.readUnsignedByte();
        String from = in.readUTF();
        String to = in.readUTF();
        long term = in.readLong();
        if (term < 0) {
            throw new IllegalArgumentException("negative term " + term);
        }
        switch (type) {
            case T_VOTE:
                return new Message.RequestVote(from, to, term, in.readLong(), in.readLong(), in.readBoolean(),
                        in.readBoolean());
            case T_VOTE_RESP:
                return new Message.RequestVoteResponse(from, to, term, in.readBoolean(), in.readBoolean());
            case T_APPEND: {
                long prev = in.readLong();
                long prevTerm = in.readLong();
                long commit = in.readLong();
                long context = in.readLong();
                int count = in.readInt();
                if (count < 0 || count > MAX_ENTRIES || count > in.available() / 21) {
                    throw new IllegalArgumentException("append holds " + count + " entries, impossible in "
                            + in.available() + " bytes");
                }
                List<LogEntry> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    long index = in.readLong();
                    long eterm = in.readLong();
                    EntryKind kind = EntryKind.ofOrdinal(in.readUnsignedByte());
                    int len = in.readInt();
                    if (len < 0 || len > in.available()) {
                        throw new IllegalArgumentException("entry " + index + " claims " + len + " bytes");
                    }
                    byte[] d = new byte[len];
                    in.readFully(d);
                    if (index != prev + 1 + i) {
                        throw new IllegalArgumentException("append entries are not consecutive at " + index);
                    }
                    entries.add(new LogEntry(index, eterm, kind, d));
                }
                return new Message.AppendEntries(from, to, term, prev, prevTerm, entries, commit, context);
            }
            case T_APPEND_RESP:
                return new Message.AppendEntriesResponse(from, to, term, in.readBoolean(), in.readLong(), in.readLong(),
                        in.readLong(), in.readBoolean());
            case T_HEARTBEAT:
                return new Message.Heartbeat(from, to, term, in.readLong(), in.readLong());
            case T_SNAPSHOT: {
                long index = in.readLong();
                long sterm = in.readLong();
                int len = in.readInt();
                if (len < 0 || len > in.available()) {
                    throw new IllegalArgumentException("snapshot configuration claims " + len + " bytes");
                }
                byte[] c = new byte[len];
                in.readFully(c);
                List<ServerInfo> config = ServerConfigurations.decode(c, "install snapshot");
                return new Message.InstallSnapshot(from, to, term, index, sterm, config);
            }
            case T_TIMEOUT_NOW:
                return new Message.TimeoutNow(from, to, term);
            case T_READ_INDEX:
                return new Message.ReadIndex(from, to, term, in.readLong(), in.readBoolean());
            case T_READ_INDEX_RESP: {
                long id = in.readLong();
                long index = in.readLong();
                boolean ok = in.readBoolean();
                long commit = in.readLong();
                if (index < 0 || commit < 0) {
                    throw new IllegalArgumentException("read index answer with negative index " + index + " or commit "
                            + commit);
                }
                return new Message.ReadIndexResponse(from, to, term, id, index, ok, commit);
            }
            default:
                throw new IllegalArgumentException("unknown raft message type " + type);
        }
    }
}
