package io.tribune.state.internal;

import io.tribune.state.Command;
import io.tribune.state.CommandValidator;
import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.KvEntry;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.RequestId;
import io.tribune.state.Session;
import io.tribune.state.Table;
import io.tribune.state.internal.WireReader.MalformedInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The snapshot format: {@code "TRIBSNAP"}, a format version (u32), the captured index (i64), a
 * fixed sequence of sections (tag u8, count i32, rows), an end tag 0, and a CRC32C (u32) of every
 * byte before it. Reading checks the whole input (size bound, checksum, magic, version, every
 * section in order, no trailing bytes) before building the new state, so a corrupt or truncated
 * snapshot is refused without touching the live state. Layout details in {@code docs/state.md}.
 *
 * <p><b>Versions.</b> Version 1 holds the tables. Version 2 adds one last section, the restore
 * being staged through the log ({@link StagedRestore}); it is written only while a restore is
 * staged, so every other snapshot stays a version 1 file that older readers still read. Version 3
 * holds the version 1 sections, the staged restore section when a restore is staged, then the
 * table of recent client requests ({@link DedupTable}); it is written whenever that table is not
 * empty, i.e. once any write carried a request id. Version 4 holds the version 1 sections, the
 * staged restore and the dedup table when there are any, then the ACL section (policies, tokens,
 * the bootstrap index and the two ACL tables' indexes); it is written once the ACL tables hold
 * anything, so a cluster that never used ACLs keeps writing the older versions byte for byte.
 * Version 5 holds the version 1 sections, the staged restore, the dedup table and the ACL section
 * when there are any, then the prepared-query section (the table's index and every query); it is
 * written once a prepared query was ever written, so clusters that never used them keep writing
 * the older versions. Version 6 holds the version 5 sections (each optional as there), then the
 * autopilot section (the stored {@link io.tribune.state.AutopilotConfig}); it is written once a
 * configuration was stored. This reader reads all six.
 */
public final class SnapshotCodec {
    /** The magic bytes that open a snapshot. */
    public static final byte[] MAGIC = "TRIBSNAP".getBytes(StandardCharsets.US_ASCII);
    /** Format version written when no restore is staged: the tables only. */
    public static final int VERSION = 1;
    /** Format version written while a restore is staged: version 1 plus the staged restore section. */
    public static final int VERSION_STAGED = 2;
    /** Format version written once the dedup table holds a request: version 1, the staged restore if any, the table. */
    public static final int VERSION_DEDUP = 3;
    /** Format version written once ACL tables hold anything: the sections of version 3 (dedup optional), then ACL. */
    public static final int VERSION_ACL = 4;
    /** Format version written once prepared queries were used: the sections of version 4 (ACL optional), then queries. */
    public static final int VERSION_QUERIES = 5;
    /** Format version written once an autopilot configuration was stored: the sections of version 5 (all optional), then autopilot. */
    public static final int VERSION_AUTOPILOT = 6;
    /** Largest snapshot accepted by {@link #read}: 1 GiB (it is read into memory to be verified first). */
    public static final int MAX_SNAPSHOT_BYTES = 1 << 30;

    static final int END = 0;
    static final int TABLE_INDEXES = 1;
    static final int KV = 2;
    static final int TOMBSTONES = 3;
    static final int LOCK_DELAYS = 4;
    static final int NODES = 5;
    static final int SERVICES = 6;
    static final int CHECKS = 7;
    static final int SESSIONS = 8;
    static final int EVENTS = 9;
    static final int COORDINATES = 10;
    static final int SERVICE_INDEX = 11;
    static final int NODE_INDEX = 12;
    static final int KV_REAP_INDEX = 13;
    static final int STAGED_RESTORE = 14;
    static final int DEDUP = 15;
    static final int ACL = 16;
    static final int QUERIES = 17;
    static final int AUTOPILOT = 18;
    /** The sections of every version, in order; versions 2 and 3 add theirs after them. */
    private static final int[] ORDER = {TABLE_INDEXES, KV, TOMBSTONES, LOCK_DELAYS, NODES, SERVICES, CHECKS, SESSIONS,
        EVENTS, COORDINATES, SERVICE_INDEX, NODE_INDEX, KV_REAP_INDEX};
    /** Staged bytes are written as length-prefixed pieces of at most this size (the reader's byte-array bound). */
    static final int STAGED_PIECE_BYTES = WireReader.MAX_BYTES;

    private static final int FLUSH_BYTES = 64 * 1024;

    private SnapshotCodec() {
    }

    /** Streams {@code s} to {@code out} (does not close it). */
    public static void write(State s, OutputStream out) throws IOException {
        Sink sink = new Sink(out);
        WireWriter w = sink.w;
        for (byte b : MAGIC) {
            w.u8(b);
        }
        boolean queries = !s.queries.isEmpty() || s.tableIndex(Table.PREPARED_QUERIES) != 0;
        int version = s.autopilot != null ? VERSION_AUTOPILOT : queries ? VERSION_QUERIES : !s.acl.isEmpty() ? VERSION_ACL : !s.dedup.isEmpty() ? VERSION_DEDUP
                : s.staged != null ? VERSION_STAGED : VERSION;
        w.i32(version).i64(s.index);

        // The ACL tables' indexes travel in the ACL section, so that older versions stay unchanged.
        List<Table> tables = new ArrayList<>();
        for (Table t : Table.values()) {
            if (!t.hasOwnSnapshotSection()) {
                tables.add(t);
            }
        }
        w.u8(TABLE_INDEXES).i32(tables.size());
        for (Table t : tables) {
            w.str(t.name()).i64(s.tableIndex(t));
        }
        w.u8(KV).i32(s.kv.size());
        for (Map.Entry<String, KvEntry> e : s.kv) {
            Codec.writeKv(w, e.getValue());
            sink.maybeFlush();
        }
        stringLongs(sink, TOMBSTONES, s.tombstones);
        stringLongs(sink, LOCK_DELAYS, s.lockDelays);
        w.u8(NODES).i32(s.nodes.size());
        for (Map.Entry<String, Node> e : s.nodes) {
            Records.node(w, e.getValue());
            sink.maybeFlush();
        }
        w.u8(SERVICES).i32(s.services.size());
        for (Map.Entry<Key2, NodeService> e : s.services) {
            w.str(e.getKey().a());
            Records.service(w, e.getValue());
            sink.maybeFlush();
        }
        w.u8(CHECKS).i32(s.checks.size());
        for (Map.Entry<Key2, HealthCheck> e : s.checks) {
            Records.check(w, e.getValue());
            sink.maybeFlush();
        }
        w.u8(SESSIONS).i32(s.sessions.size());
        for (Map.Entry<String, Session> e : s.sessions) {
            Records.session(w, e.getValue());
            sink.maybeFlush();
        }
        w.u8(EVENTS).i32(s.events.size());
        for (EventRecord e : s.events) {
            Records.event(w, e);
            sink.maybeFlush();
        }
        w.u8(COORDINATES).i32(s.coordinates.size());
        for (Map.Entry<Key2, Coordinate> e : s.coordinates) {
            Records.coordinate(w, e.getValue());
            sink.maybeFlush();
        }
        stringLongs(sink, SERVICE_INDEX, s.serviceIndex);
        stringLongs(sink, NODE_INDEX, s.nodeIndex);
        w.u8(KV_REAP_INDEX).i32(1).i64(s.kvReapIndex);
        if (s.staged != null) {
            StagedRestore r = s.staged;
            int received = (int) r.received();
            int pieces = (received + STAGED_PIECE_BYTES - 1) / STAGED_PIECE_BYTES;
            w.u8(STAGED_RESTORE).i32(1).str(r.id).i64(r.totalBytes).i64(r.crc32c).i64(received).i32(pieces);
            for (int at = 0; at < received; at += STAGED_PIECE_BYTES) {
                w.bytes(r.bytes(), at, Math.min(STAGED_PIECE_BYTES, received - at));
                sink.maybeFlush();
            }
        }
        if (!s.dedup.isEmpty()) {
            DedupTable d = s.dedup;
            w.u8(DEDUP).i32(1).i64(d.clockMillis()).i64(d.currentSinceMillis());
            generation(sink, d.previous());
            generation(sink, d.current());
        }
        if (!s.acl.isEmpty()) {
            AclTables a = s.acl;
            w.u8(ACL).i32(1).i64(a.bootstrapIndex).i64(s.tableIndex(Table.ACL_POLICIES))
                    .i64(s.tableIndex(Table.ACL_TOKENS));
            w.i32(a.policies.size());
            for (Map.Entry<String, io.tribune.state.AclPolicy> e : a.policies) {
                AclCodec.policy(w, e.getValue());
                sink.maybeFlush();
            }
            w.i32(a.tokens.size());
            for (Map.Entry<String, io.tribune.state.AclToken> e : a.tokens) {
                AclCodec.token(w, e.getValue());
                sink.maybeFlush();
            }
        }
        if (queries || s.autopilot != null) {
            // Version 6 always carries the (possibly empty) prepared-query section, keeping the reader's order fixed.
            w.u8(QUERIES).i32(1).i64(s.tableIndex(Table.PREPARED_QUERIES)).i32(s.queries.byId.size());
            for (Map.Entry<String, io.tribune.state.PreparedQuery> e : s.queries.byId) {
                QueryCodec.query(w, e.getValue());
                sink.maybeFlush();
            }
        }
        if (s.autopilot != null) {
            AutopilotCodec.config(w.u8(AUTOPILOT).i32(1), s.autopilot);
        }
        w.u8(END);
        sink.flush();
        long crc = sink.crc.getValue();
        byte[] trailer = {(byte) (crc >>> 24), (byte) (crc >>> 16), (byte) (crc >>> 8), (byte) crc};
        out.write(trailer);
        out.flush();
    }

    private static void generation(Sink sink, PersistentMap<RequestId, DedupTable.Entry> gen) throws IOException {
        sink.w.i32(gen.size());
        for (Map.Entry<RequestId, DedupTable.Entry> e : gen) {
            sink.w.i64(e.getKey().hi()).i64(e.getKey().lo()).i64(e.getValue().index()).bytes(e.getValue().result());
            sink.maybeFlush();
        }
    }

    private static void stringLongs(Sink sink, int tag, PersistentMap<String, Long> m) throws IOException {
        sink.w.u8(tag).i32(m.size());
        for (Map.Entry<String, Long> e : m) {
            sink.w.str(e.getKey()).i64(e.getValue());
            sink.maybeFlush();
        }
    }

    /** Buffers encoded bytes, feeding the checksum as they are flushed. */
    private static final class Sink {
        final OutputStream out;
        final WireWriter w = new WireWriter(FLUSH_BYTES * 2);
        final CRC32C crc = new CRC32C();

        Sink(OutputStream out) {
            this.out = out;
        }

        void maybeFlush() throws IOException {
            if (w.length() >= FLUSH_BYTES) {
                flush();
            }
        }

        void flush() throws IOException {
            crc.update(w.buffer(), 0, w.length());
            out.write(w.buffer(), 0, w.length());
            w.reset();
        }
    }

    /**
     * Reads and fully verifies a snapshot, returning the state it holds as of {@code index}.
     *
     * @throws IOException naming the problem: too large, truncated, bad checksum, bad magic,
     *                     unsupported version, malformed section
     */
    public static State read(InputStream in, long index) throws IOException {
        byte[] all = readBounded(in);
        return read(all, all.length, index, true);
    }

    /**
     * Reads and fully verifies the snapshot in {@code bytes[0, length)} (not copied, not modified).
     *
     * @param keepStaged whether a restore staged in the snapshot is part of the result (a
     *                   consensus snapshot's is; a user's snapshot being restored drops it)
     * @throws IOException as {@link #read(InputStream, long)}
     */
    public static State read(byte[] bytes, int length, long index, boolean keepStaged) throws IOException {
        if (length < 0 || length > bytes.length) {
            throw new IllegalArgumentException("length " + length + " outside 0.." + bytes.length);
        }
        if (length > MAX_SNAPSHOT_BYTES) {
            throw new IOException("snapshot larger than " + MAX_SNAPSHOT_BYTES + " bytes");
        }
        byte[] all = bytes;
        int minimum = MAGIC.length + 4 + 8 + 1 + 4;
        if (length < minimum) {
            throw new IOException("snapshot truncated: " + length + " bytes, need at least " + minimum);
        }
        int body = length - 4;
        CRC32C crc = new CRC32C();
        crc.update(all, 0, body);
        long expected = ((all[body] & 0xffL) << 24) | ((all[body + 1] & 0xffL) << 16) | ((all[body + 2] & 0xffL) << 8)
                | (all[body + 3] & 0xffL);
        if (crc.getValue() != expected) {
            throw new IOException("snapshot checksum mismatch (corrupt or truncated): computed "
                    + Long.toHexString(crc.getValue()) + ", stored " + Long.toHexString(expected));
        }
        if (!Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IOException("not a Tribune state snapshot (bad magic)");
        }
        try {
            return parse(new WireReader(all, MAGIC.length, body), index, keepStaged);
        } catch (MalformedInputException e) {
            throw new IOException("malformed snapshot: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException("invalid snapshot content: " + e, e);
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int len = 0;
        while (true) {
            if (len == buf.length) {
                if (buf.length >= MAX_SNAPSHOT_BYTES) {
                    if (in.read() < 0) {
                        break;
                    }
                    throw new IOException("snapshot larger than " + MAX_SNAPSHOT_BYTES + " bytes");
                }
                buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, MAX_SNAPSHOT_BYTES));
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                break;
            }
            len += n;
        }
        return Arrays.copyOf(buf, len);
    }

    private static State parse(WireReader r, long index, boolean keepStaged) {
        int version = r.i32("version");
        if (version < VERSION || version > VERSION_AUTOPILOT) {
            throw new MalformedInputException("unsupported snapshot version " + version + " (this server reads "
                    + VERSION + " to " + VERSION_AUTOPILOT + ")");
        }
        long captured = r.i64("captured index");
        Tx t = new Tx();
        t.index = index;
        for (int expectedTag : ORDER) {
            int tag = r.u8("section tag");
            if (tag != expectedTag) {
                throw new MalformedInputException("expected section " + expectedTag + ", found " + tag);
            }
            int n = r.count("section " + tag + " rows", WireReader.MAX_COUNT);
            switch (tag) {
                case TABLE_INDEXES -> {
                    for (int i = 0; i < n; i++) {
                        String name = r.str("table name");
                        long idx = r.i64("table index");
                        Table table;
                        try {
                            table = Table.valueOf(name);
                        } catch (IllegalArgumentException e) {
                            throw new MalformedInputException("unknown table " + name);
                        }
                        t.tableIndex[table.ordinal()] = idx;
                    }
                }
                case KV -> {
                    for (int i = 0; i < n; i++) {
                        KvEntry e = Codec.readKv(r);
                        t.kv = t.kv.put(e.key(), e);
                        if (e.locked()) {
                            t.locks = t.locks.put(new Key2(e.session(), e.key()), Boolean.TRUE);
                        }
                    }
                }
                case TOMBSTONES -> t.tombstones = stringLongs(r, n);
                case LOCK_DELAYS -> t.lockDelays = stringLongs(r, n);
                case NODES -> {
                    for (int i = 0; i < n; i++) {
                        Node node = Records.node(r);
                        t.nodes = t.nodes.put(node.node(), node);
                        if (!node.id().isEmpty()) {
                            t.nodesById = t.nodesById.put(node.id().toLowerCase(java.util.Locale.ROOT), node.node());
                        }
                    }
                }
                case SERVICES -> {
                    for (int i = 0; i < n; i++) {
                        String node = r.str("service node");
                        NodeService s = Records.service(r);
                        t.services = t.services.put(new Key2(node, s.id()), s);
                        Key2 byName = new Key2(s.service(), node);
                        Integer c = t.servicesByName.get(byName);
                        t.servicesByName = t.servicesByName.put(byName, c == null ? 1 : c + 1);
                    }
                }
                case CHECKS -> {
                    for (int i = 0; i < n; i++) {
                        HealthCheck c = Records.check(r);
                        t.checks = t.checks.put(new Key2(c.node(), c.checkId()), c);
                    }
                }
                case SESSIONS -> {
                    for (int i = 0; i < n; i++) {
                        Session s = Records.session(r);
                        t.sessions = t.sessions.put(s.id(), s);
                        t.sessionsByNode = t.sessionsByNode.put(new Key2(s.node(), s.id()), Boolean.TRUE);
                    }
                }
                case EVENTS -> {
                    List<EventRecord> events = new ArrayList<>(Math.min(n, 1024));
                    for (int i = 0; i < n; i++) {
                        events.add(Records.event(r));
                    }
                    t.events = List.copyOf(events);
                }
                case COORDINATES -> {
                    for (int i = 0; i < n; i++) {
                        Coordinate c = Records.coordinate(r);
                        t.coordinates = t.coordinates.put(new Key2(c.node(), c.segment()), c);
                    }
                }
                case SERVICE_INDEX -> t.serviceIndex = stringLongs(r, n);
                case NODE_INDEX -> t.nodeIndex = stringLongs(r, n);
                case KV_REAP_INDEX -> {
                    if (n != 1) {
                        throw new MalformedInputException("reap index section must hold one value");
                    }
                    t.kvReapIndex = r.i64("reap index");
                }
                default -> throw new MalformedInputException("unknown section " + tag);
            }
        }
        int tag = r.u8(version == VERSION ? "end tag" : "section tag");
        if (version == VERSION_STAGED && tag != STAGED_RESTORE) {
            throw new MalformedInputException("expected section " + STAGED_RESTORE + ", found " + tag);
        }
        if (tag == STAGED_RESTORE && version != VERSION) {
            StagedRestore staged = stagedRestore(r);
            if (keepStaged) {
                t.staged = staged;
            }
            tag = r.u8(version == VERSION_STAGED ? "end tag" : "section tag");
        }
        if (version == VERSION_DEDUP || (version >= VERSION_ACL && tag == DEDUP)) {
            if (tag != DEDUP) {
                throw new MalformedInputException("expected section " + DEDUP + ", found " + tag);
            }
            t.dedup = dedup(r, captured);
            tag = r.u8(version >= VERSION_ACL ? "section tag" : "end tag");
        }
        if (version == VERSION_ACL || (version >= VERSION_QUERIES && tag == ACL)) {
            if (tag != ACL) {
                throw new MalformedInputException("expected section " + ACL + ", found " + tag);
            }
            acl(r, t);
            tag = r.u8(version >= VERSION_QUERIES ? "section tag" : "end tag");
        }
        if (version >= VERSION_QUERIES) {
            if (tag != QUERIES) {
                throw new MalformedInputException("expected section " + QUERIES + ", found " + tag);
            }
            queries(r, t);
            tag = r.u8(version == VERSION_AUTOPILOT ? "section tag" : "end tag");
        }
        if (version == VERSION_AUTOPILOT) {
            if (tag != AUTOPILOT) {
                throw new MalformedInputException("expected section " + AUTOPILOT + ", found " + tag);
            }
            if (r.count("autopilot section rows", 1) != 1) {
                throw new MalformedInputException("autopilot section must hold one configuration");
            }
            t.autopilot = AutopilotCodec.config(r);
            tag = r.u8("end tag");
        }
        int end = tag;
        if (end != END) {
            throw new MalformedInputException("expected end of sections, found tag " + end);
        }
        r.expectEnd();
        return t.commit();
    }

    private static void acl(WireReader r, Tx t) {
        if (r.count("ACL section rows", 1) != 1) {
            throw new MalformedInputException("ACL section must hold one set of tables");
        }
        long bootstrap = r.i64("ACL bootstrap index");
        t.tableIndex[Table.ACL_POLICIES.ordinal()] = r.i64("ACL policies index");
        t.tableIndex[Table.ACL_TOKENS.ordinal()] = r.i64("ACL tokens index");
        AclTables a = AclTables.EMPTY.withBootstrapIndex(bootstrap);
        int np = r.count("ACL policies", AclOps.MAX_POLICIES);
        for (int i = 0; i < np; i++) {
            io.tribune.state.AclPolicy p = AclCodec.policy(r);
            if (a.policies.containsKey(p.id()) || a.policyNames.containsKey(p.name())) {
                throw new MalformedInputException("ACL policy " + p.id() + " or its name appears twice");
            }
            a = a.withPolicy(p);
        }
        int nt = r.count("ACL tokens", AclOps.MAX_TOKENS);
        for (int i = 0; i < nt; i++) {
            io.tribune.state.AclToken tok = AclCodec.token(r);
            if (a.tokens.containsKey(tok.accessorId()) || a.secrets.containsKey(tok.secretId())) {
                throw new MalformedInputException("ACL token " + tok.accessorId() + " or its secret appears twice");
            }
            a = a.withToken(tok);
        }
        t.acl = a;
    }

    private static void queries(WireReader r, Tx t) {
        if (r.count("prepared query section rows", 1) != 1) {
            throw new MalformedInputException("prepared query section must hold one table");
        }
        t.tableIndex[Table.PREPARED_QUERIES.ordinal()] = r.i64("prepared queries index");
        int n = r.count("prepared queries", QueryOps.MAX_QUERIES);
        QueryTables q = QueryTables.EMPTY;
        for (int i = 0; i < n; i++) {
            io.tribune.state.PreparedQuery x = QueryCodec.query(r);
            if (q.byId.containsKey(x.id()) || (!x.name().isEmpty() && q.byName.containsKey(x.name()))
                    || (x.isTemplate() && q.templates.containsKey(x.name()))) {
                throw new MalformedInputException("prepared query " + x.id() + " or its name appears twice");
            }
            q = q.with(x);
        }
        t.queries = q;
    }

    private static DedupTable dedup(WireReader r, long captured) {
        if (r.count("dedup section rows", 1) != 1) {
            throw new MalformedInputException("dedup table section must hold one table");
        }
        DedupTable.Limits limits = DedupTable.DEFAULT;
        long clock = r.i64("dedup clock");
        long since = r.i64("dedup generation start");
        PersistentMap<RequestId, DedupTable.Entry> previous = generation(r, limits, "previous");
        PersistentMap<RequestId, DedupTable.Entry> current = generation(r, limits, "current");
        if (current.isEmpty()) {
            throw new MalformedInputException("a dedup table section holds no current entry");
        }
        try {
            return DedupTable.restore(limits, clock, since, previous, current, captured);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException(e.getMessage());
        }
    }

    private static PersistentMap<RequestId, DedupTable.Entry> generation(WireReader r, DedupTable.Limits limits,
                                                                         String which) {
        int n = r.count(which + " dedup entries", limits.generationEntries());
        PersistentMap<RequestId, DedupTable.Entry> gen = PersistentMap.empty();
        RequestId last = null;
        for (int i = 0; i < n; i++) {
            RequestId id = new RequestId(r.i64("request id"), r.i64("request id"));
            if (last != null && last.compareTo(id) >= 0) {
                throw new MalformedInputException("the " + which + " dedup entries are not in increasing id order at "
                        + id);
            }
            last = id;
            long index = r.i64("request index");
            byte[] result = r.bytes("request result", limits.maxResultBytes() + DedupTable.NOTICE_BYTES);
            gen = gen.put(id, new DedupTable.Entry(index, DedupTable.canonical(result)));
        }
        return gen;
    }

    private static StagedRestore stagedRestore(WireReader r) {
        if (r.count("staged restore section rows", 1) != 1) {
            throw new MalformedInputException("staged restore section must hold one restore");
        }
        String id = r.str("restore id");
        long total = r.i64("restore length");
        long crc = r.i64("restore checksum");
        Optional<String> bad = CommandValidator.validate(new Command.RestoreBegin(id, total, crc));
        if (bad.isPresent()) {
            throw new MalformedInputException("staged restore: " + bad.get());
        }
        long received = r.i64("restore bytes received");
        if (received < 0 || received > total) {
            throw new MalformedInputException("staged restore holds " + received + " of " + total + " bytes");
        }
        int pieces = r.count("staged restore pieces", (int) (received / STAGED_PIECE_BYTES) + 1);
        byte[] bytes = new byte[(int) received];
        int at = 0;
        for (int i = 0; i < pieces; i++) {
            byte[] piece = r.bytes("staged restore piece");
            if (piece.length > received - at) {
                throw new MalformedInputException("staged restore pieces exceed the " + received + " bytes received");
            }
            System.arraycopy(piece, 0, bytes, at, piece.length);
            at += piece.length;
        }
        if (at != received) {
            throw new MalformedInputException("staged restore pieces hold " + at + " bytes, not " + received);
        }
        return StagedRestore.of(id, total, crc, bytes, at);
    }

    private static PersistentMap<String, Long> stringLongs(WireReader r, int n) {
        PersistentMap<String, Long> m = PersistentMap.empty();
        for (int i = 0; i < n; i++) {
            String k = r.str("key");
            m = m.put(k, r.i64("value"));
        }
        return m;
    }
}
