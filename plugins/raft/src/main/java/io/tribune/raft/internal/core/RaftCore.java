package io.tribune.raft.internal.core;

import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.raft.internal.quorum.Quorum;
import io.tribune.raft.internal.tracker.Progress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One Raft server as a deterministic state machine with no I/O (the shape of etcd raft): feed it
 * {@link #tick()}, {@link #step(Message)} and proposals; collect the effects with {@link #ready()},
 * carry them out in the order {@link Ready} states, then call {@link #advance(Ready)}.
 *
 * <p>Implements leader election with randomized timeouts (Raft §5.2), pre-vote (thesis §9.6) and
 * check-quorum (thesis §6.2), log replication with fast backtracking and pipelining (§5.3),
 * commitment of the current term only (§5.4.2), snapshots and log compaction (§7), single-server
 * membership changes that take effect when appended (thesis §4.1), leader transfer (thesis §3.10),
 * and read index and lease reads (thesis §6.4, §6.4.1).
 *
 * <p>Not thread-safe: one caller at a time. Time is counted in ticks; randomness comes from the
 * generator handed in; iteration orders are insertion-ordered, so a run is a function of its inputs.
 */
public final class RaftCore {
    /** Most committed entries handed out in one {@link Ready}, to bound the work of one step. */
    static final int MAX_COMMITTED_PER_READY = 4096;

    private final String id;
    private final RaftOptions opts;
    private final RandomGenerator random;

    // Persistent state (Figure 2).
    private long term;
    private String vote;

    // The log in memory: entries[i].index == prevIndex + 1 + i; prevTerm is the term at prevIndex.
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long prevIndex;
    private long prevTerm;
    // The newest snapshot: everything up to snapIndex is in it.
    private long snapIndex;
    private long snapTerm;
    private List<ServerInfo> snapConfig = List.of();

    private long commitIndex;
    private long appliedHanded;
    private long unstableFrom;
    private long pendingTruncate;
    private long persistedIndex;
    private boolean hardStateDirty;
    private Message.InstallSnapshot pendingRestore;

    private List<ServerInfo> config = List.of();
    private long configIndex;

    private Role role = Role.FOLLOWER;
    private String leader;
    private long now;
    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedTimeout;
    private final LinkedHashMap<String, Boolean> votes = new LinkedHashMap<>();
    private final LinkedHashMap<String, Progress> progress = new LinkedHashMap<>();
    private long termStartIndex;
    private String leadTransferee;
    private int transferElapsed;
    // A TimeoutNow may arrive late, after a transfer was abandoned; no lease reads for the rest of the term.
    private boolean transferAttempted;

    // Persisted term at most 1 when started: never acknowledged a leader (see the constructor).
    private final boolean fresh;
    private long contextSeq;
    private final TreeMap<Long, Long> contextTicks = new TreeMap<>();
    // Reads waiting for a heartbeat round, local ones and followers' (ReadIndex); round 0 = waiting
    // for a round to start.
    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    // Followers' reads confirmed before this leader committed an entry of its term: answered then.
    private final List<PendingRead> awaitingTermCommit = new ArrayList<>();
    private long lastRoundSeq;
    private List<Ready.ReadState> readStates = new ArrayList<>();
    // A follower's reads sent to its leader as ReadIndex, by request id, in send order.
    private final LinkedHashMap<Long, RemoteRead> remoteReads = new LinkedHashMap<>();

    /** A read the leader confirms: {@code from} is the follower that asked, or null for a local read. */
    private static final class PendingRead {
        final long id;
        final long index;
        final String from;
        long round;

        PendingRead(long id, long index, String from) {
            this.id = id;
            this.index = index;
            this.from = from;
        }
    }

    /** A follower's read in flight at {@code leader} of {@code term}, sent at tick {@code sentTick}. */
    private record RemoteRead(String leader, long term, long sentTick) {
    }

    private List<Message> outbox = new ArrayList<>();
    private Ready.SoftState lastSoft;

    /**
     * What a server recovered from its storage.
     *
     * @param term           persisted current term
     * @param vote           persisted vote in that term, or null
     * @param snapshotIndex  index of the newest snapshot (0: none)
     * @param snapshotTerm   its term
     * @param snapshotConfig its configuration
     * @param logPrevIndex   index just before the first entry of {@code log}
     * @param logPrevTerm    term at {@code logPrevIndex} (0 when it is 0)
     * @param log            the persisted entries, consecutive
     */
    public record InitialState(long term, String vote, long snapshotIndex, long snapshotTerm,
                               List<ServerInfo> snapshotConfig, long logPrevIndex, long logPrevTerm,
                               List<LogEntry> log) {
        /** A server with nothing persisted. */
        public static InitialState empty() {
            return new InitialState(0, null, 0, 0, List.of(), 0, 0, List.of());
        }
    }

    /** Creates a follower from recovered state. */
    public RaftCore(String id, RaftOptions opts, RandomGenerator random, InitialState init) {
        this.id = Objects.requireNonNull(id, "id");
        this.opts = Objects.requireNonNull(opts, "opts");
        this.random = Objects.requireNonNull(random, "random");
        this.term = init.term();
        this.vote = init.vote();
        this.snapIndex = init.snapshotIndex();
        this.snapTerm = init.snapshotTerm();
        this.snapConfig = List.copyOf(init.snapshotConfig());
        this.prevIndex = init.logPrevIndex();
        this.prevTerm = init.logPrevTerm();
        if (prevIndex > snapIndex) {
            throw new IllegalArgumentException("log starts after index " + prevIndex
                    + " but the snapshot ends at " + snapIndex + ": entries are missing");
        }
        long expect = prevIndex + 1;
        for (LogEntry e : init.log()) {
            if (e.index() != expect) {
                throw new IllegalArgumentException("log entry " + e.index() + " found where " + expect + " was expected");
            }
            entries.add(e);
            expect++;
        }
        this.commitIndex = snapIndex;
        this.appliedHanded = snapIndex;
        this.unstableFrom = lastIndex() + 1;
        this.persistedIndex = lastIndex();
        this.config = snapConfig;
        this.configIndex = snapIndex;
        recomputeConfig();
        // A new cluster's first voter campaigns after a heartbeat interval (see resetRandomizedTimeout).
        resetRandomizedTimeout();
        // Every leader's term is at least 2 (bootstrap writes term 1, the first campaign raises it),
        // and a server persists a leader's term before it answers that leader. So a server whose
        // persisted term is at most 1 never acknowledged any leader, and has no lease to protect.
        this.fresh = init.term() <= 1 && init.vote() == null;
        this.lastSoft = soft();
    }

    // ------------------------------------------------------------------ accessors

    public String id() {
        return id;
    }

    public long term() {
        return term;
    }

    public String vote() {
        return vote;
    }

    public Role role() {
        return role;
    }

    /** The known leader's id, or null. */
    public String leader() {
        return leader;
    }

    public long commitIndex() {
        return commitIndex;
    }

    public long lastIndex() {
        return prevIndex + entries.size();
    }

    public long lastTerm() {
        return entries.isEmpty() ? prevTerm : entries.get(entries.size() - 1).term();
    }

    /** Index of the first entry kept in memory. */
    public long firstIndex() {
        return prevIndex + 1;
    }

    public long snapshotIndex() {
        return snapIndex;
    }

    public long snapshotTerm() {
        return snapTerm;
    }

    public List<ServerInfo> snapshotConfiguration() {
        return snapConfig;
    }

    /** The latest configuration in the log (committed or not). */
    public List<ServerInfo> configuration() {
        return config;
    }

    /** Index of the entry that set {@link #configuration()} (or of the snapshot holding it). */
    public long configurationIndex() {
        return configIndex;
    }

    /** Ticks since this server last heard from a leader (zero on the leader). */
    public int ticksSinceLeaderContact() {
        return role == Role.LEADER ? 0 : electionElapsed;
    }

    /** Whether this leader is handing leadership over (proposals are refused meanwhile). */
    public boolean leaderTransferInProgress() {
        return leadTransferee != null;
    }

    /** The leader's tracking of {@code peer}, for tests; null when absent. */
    public Progress progress(String peer) {
        return progress.get(peer);
    }

    /** The term of the entry at {@code index}, or -1 when it is not in memory. */
    public long termAt(long index) {
        if (index == prevIndex) {
            return prevTerm;
        }
        if (index == snapIndex && index < prevIndex) {
            return snapTerm;
        }
        if (index < prevIndex || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - prevIndex - 1)).term();
    }

    /** The entry at {@code index}, or null when it is not in memory. */
    public LogEntry entryAt(long index) {
        if (index <= prevIndex || index > lastIndex()) {
            return null;
        }
        return entries.get((int) (index - prevIndex - 1));
    }

    private boolean isVoter(String server) {
        for (ServerInfo s : config) {
            if (s.id().equals(server)) {
                return s.voter();
            }
        }
        return false;
    }

    private List<String> voters() {
        List<String> v = new ArrayList<>();
        for (ServerInfo s : config) {
            if (s.voter()) {
                v.add(s.id());
            }
        }
        return v;
    }

    /** Whether this server may start elections: it is a voter of its latest configuration. */
    public boolean promotable() {
        return isVoter(id);
    }

    /** Role, leader and term now. */
    public Ready.SoftState softState() {
        return soft();
    }

    private Ready.SoftState soft() {
        return new Ready.SoftState(role, leader, term);
    }

    // ------------------------------------------------------------------ time

    /** Advances logical time by one tick. */
    public void tick() {
        now++;
        if (role == Role.LEADER) {
            tickLeader();
        } else {
            electionElapsed++;
            if (promotable() && electionElapsed >= randomizedTimeout) {
                electionElapsed = 0;
                campaign(opts.preVote(), false);
            }
        }
        checkRemoteReads();
    }

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        if (leadTransferee != null && ++transferElapsed >= opts.electionTicks()) {
            // The target did not take over within an election timeout: keep leading (thesis §3.10).
            leadTransferee = null;
        }
        if (electionElapsed >= opts.electionTicks()) {
            electionElapsed = 0;
            if (opts.checkQuorum() && !quorumActive()) {
                // Check-quorum (thesis §6.2): a leader cut off from a majority steps down.
                becomeFollower(term, null);
                return;
            }
            for (Progress p : progress.values()) {
                p.recentActive(false);
            }
        }
        for (Map.Entry<String, Progress> e : progress.entrySet()) {
            Progress p = e.getValue();
            if (p.state() == Progress.State.SNAPSHOT && now - p.snapshotSinceTick() > 4L * opts.electionTicks()) {
                // A snapshot transfer that never answered: try again from probing.
                p.becomeProbe();
            }
        }
        if (heartbeatElapsed >= opts.heartbeatTicks()) {
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
    }

    private boolean quorumActive() {
        int active = 0;
        List<String> v = voters();
        for (String s : v) {
            if (s.equals(id) || (progress.get(s) != null && progress.get(s).recentActive())) {
                active++;
            }
        }
        return Quorum.isMajority(v.size(), active);
    }

    private void resetRandomizedTimeout() {
        randomizedTimeout = opts.electionTicks() + random.nextInt(opts.electionTicks());
        if (firstVoterOfNewCluster()) {
            // A new cluster: its first voter campaigns after a heartbeat interval rather than an
            // election timeout, and the others keep their full timeouts, so the first election
            // neither waits nor splits. If that server is slow or down, the others elect as usual.
            // While its pre-votes go unanswered (the other servers start their consensus a little
            // later: their pre-vote requests are dropped until then) it asks again every heartbeat
            // interval instead of waiting a full timeout. This is safe: a pre-vote changes no term
            // and records no vote (thesis §9.6), and the first real vote (term 2) ends the rule
            // (without pre-vote the first campaign is a real one, so the rule covers it alone).
            // The draw above still happens so that the random sequence does not depend on the rule.
            randomizedTimeout = Math.max(1, opts.heartbeatTicks());
        }
    }

    /**
     * Whether this server is the first voter of a cluster that never held an election: its term is
     * at most 1 (bootstrap writes term 1; every campaign raises it), it has voted for no one and
     * knows no leader. Such a server has acknowledged no leader, so an early campaign disturbs none.
     */
    private boolean firstVoterOfNewCluster() {
        if (term > 1 || vote != null || leader != null) {
            return false;
        }
        for (ServerInfo s : config) {
            if (s.voter()) {
                return s.id().equals(id);
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ roles

    private void becomeFollower(long newTerm, String newLeader) {
        boolean wasLeader = role == Role.LEADER;
        if (newTerm != term) {
            term = newTerm;
            vote = null;
            hardStateDirty = true;
        }
        role = Role.FOLLOWER;
        leader = newLeader;
        electionElapsed = 0;
        resetRandomizedTimeout();
        leadTransferee = null;
        votes.clear();
        if (wasLeader) {
            while (!pendingReads.isEmpty()) {
                refuseRead(pendingReads.poll());
            }
            for (PendingRead r : awaitingTermCommit) {
                refuseRead(r);
            }
            awaitingTermCommit.clear();
            progress.clear();
            contextTicks.clear();
        }
    }

    private void campaign(boolean pre, boolean transfer) {
        votes.clear();
        long voteTerm;
        if (pre) {
            role = Role.PRE_CANDIDATE;
            leader = null;
            voteTerm = term + 1;
        } else {
            role = Role.CANDIDATE;
            term++;
            vote = id;
            leader = null;
            hardStateDirty = true;
            voteTerm = term;
        }
        electionElapsed = 0;
        resetRandomizedTimeout();
        votes.put(id, true);
        if (tallyVotes(pre)) {
            return;
        }
        for (String v : voters()) {
            if (!v.equals(id)) {
                send(new Message.RequestVote(id, v, voteTerm, lastIndex(), lastTerm(), pre, transfer));
            }
        }
    }

    /** Counts votes; acts on a result. Returns whether the campaign ended. */
    private boolean tallyVotes(boolean pre) {
        List<String> v = voters();
        int granted = 0;
        int rejected = 0;
        for (String s : v) {
            Boolean b = votes.get(s);
            if (b != null) {
                if (b) {
                    granted++;
                } else {
                    rejected++;
                }
            }
        }
        switch (Quorum.tally(v.size(), granted, rejected)) {
            case WON -> {
                if (pre) {
                    campaign(false, false);
                } else {
                    becomeLeader();
                }
                return true;
            }
            case LOST -> {
                becomeFollower(term, null);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leader = id;
        leadTransferee = null;
        transferAttempted = false;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        progress.clear();
        for (ServerInfo s : config) {
            if (!s.id().equals(id)) {
                Progress p = new Progress(lastIndex() + 1, opts.maxInflight());
                p.recentActive(true);
                progress.put(s.id(), p);
            }
        }
        contextSeq++;
        contextTicks.clear();
        contextTicks.put(contextSeq, now);
        // A no-op of the new term lets the leader commit (and learn the commit index): Raft §8.
        appendAsLeader(EntryKind.NOOP, new byte[0]);
        termStartIndex = lastIndex();
        broadcastAppend();
    }

    // ------------------------------------------------------------------ proposals

    /**
     * Appends a command (or no-op) as leader and starts replicating it.
     *
     * @return the entry's index
     * @throws Rejected when not leader or during a leader transfer
     */
    public long propose(EntryKind kind, byte[] data) {
        if (kind == EntryKind.CONFIGURATION) {
            throw new IllegalArgumentException("use proposeConfiguration for configuration changes");
        }
        requireLeader();
        if (leadTransferee != null) {
            throw new Rejected(Rejected.Reason.REFUSED, "leadership is being transferred to " + leadTransferee);
        }
        long index = appendAsLeader(kind, data);
        broadcastAppend();
        return index;
    }

    /**
     * Proposes a new configuration that differs from the current one in one server only (added,
     * removed, or its voter flag changed), as thesis §4.1 requires for safety without joint
     * consensus. It takes effect as soon as it is appended.
     *
     * @return the entry's index, or 0 when {@code servers} equals the current configuration
     * @throws Rejected when not leader, when another change is uncommitted, when this leader has
     *                  not yet committed an entry of its term, or when more than one server changes
     */
    public long proposeConfiguration(List<ServerInfo> servers) {
        requireLeader();
        ServerConfigurations.validate(servers);
        if (leadTransferee != null) {
            throw new Rejected(Rejected.Reason.REFUSED, "leadership is being transferred to " + leadTransferee);
        }
        if (configIndex > commitIndex) {
            throw new Rejected(Rejected.Reason.REFUSED, "a configuration change (index " + configIndex
                    + ") is not committed yet; changes go one at a time");
        }
        if (commitIndex < termStartIndex) {
            // Ongaro's fix to single-server changes: first commit an entry of this term.
            throw new Rejected(Rejected.Reason.REFUSED, "the leader has not committed an entry of its term yet");
        }
        int changed = 0;
        LinkedHashMap<String, ServerInfo> before = new LinkedHashMap<>();
        for (ServerInfo s : config) {
            before.put(s.id(), s);
        }
        for (ServerInfo s : servers) {
            ServerInfo old = before.remove(s.id());
            if (old == null || old.voter() != s.voter() || !old.endpoint().equals(s.endpoint())) {
                changed++;
            }
        }
        changed += before.size();
        if (changed == 0) {
            return 0;
        }
        if (changed > 1) {
            throw new Rejected(Rejected.Reason.REFUSED, "a configuration change may change one server only, "
                    + changed + " differ");
        }
        long index = appendAsLeader(EntryKind.CONFIGURATION, ServerConfigurations.encode(servers));
        broadcastAppend();
        return index;
    }

    private void requireLeader() {
        if (role != Role.LEADER) {
            throw new Rejected(Rejected.Reason.NOT_LEADER, leader == null ? "not the leader, no leader known"
                    : "not the leader; the leader is " + leader);
        }
    }

    private long appendAsLeader(EntryKind kind, byte[] data) {
        LogEntry e = new LogEntry(lastIndex() + 1, term, kind, data);
        entries.add(e);
        if (kind == EntryKind.CONFIGURATION) {
            setConfig(ServerConfigurations.decode(data, "log entry " + e.index()), e.index());
        }
        return e.index();
    }

    private void setConfig(List<ServerInfo> servers, long index) {
        config = servers;
        configIndex = index;
        if (role == Role.LEADER) {
            LinkedHashMap<String, Progress> updated = new LinkedHashMap<>();
            for (ServerInfo s : servers) {
                if (s.id().equals(id)) {
                    continue;
                }
                Progress p = progress.get(s.id());
                if (p == null) {
                    p = new Progress(lastIndex(), opts.maxInflight());
                    p.recentActive(true);
                }
                updated.put(s.id(), p);
            }
            progress.clear();
            progress.putAll(updated);
            if (leadTransferee != null && !progress.containsKey(leadTransferee)) {
                leadTransferee = null;
            }
        }
    }

    /** Recomputes the configuration from the log after it shrank or was rebuilt. */
    private void recomputeConfig() {
        for (long i = lastIndex(); i > Math.max(prevIndex, snapIndex); i--) {
            LogEntry e = entryAt(i);
            if (e.kind() == EntryKind.CONFIGURATION) {
                setConfig(ServerConfigurations.decode(e.data(), "log entry " + i), i);
                return;
            }
        }
        setConfig(snapConfig, snapIndex);
    }

    // ------------------------------------------------------------------ reads

    /**
     * Starts a read for request {@code requestId}. Its {@link Ready.ReadState} appears in a later
     * (or the next) {@link Ready}: at once when {@code lease} is asked and the leader's lease holds
     * (thesis §6.4.1) or when this server is the only voter, else after a majority confirmed
     * leadership in a heartbeat round started after this call (read index, thesis §6.4): at once,
     * or when the round in flight ends (reads are batched, see {@code checkReads}). The index is at least
     * the first entry of this leader's term, so the leader's commit index is current when it is applied.
     *
     * <p>On a follower that knows its leader, the read goes to the leader as a {@link Message.ReadIndex}
     * (thesis §6.4, "reads from followers"); the leader's answer becomes the read's ReadState.
     * It fails (ok false) when the leader changes, or no answer came within an election timeout
     * (the request or its answer was lost, or the leader is unreachable).
     *
     * @throws Rejected when neither leader nor a follower that knows its leader
     */
    public void read(long requestId, boolean lease) {
        if (role == Role.FOLLOWER && leader != null) {
            remoteReads.put(requestId, new RemoteRead(leader, term, now));
            send(new Message.ReadIndex(id, leader, term, requestId, lease));
            return;
        }
        requireLeader();
        long index = Math.max(commitIndex, termStartIndex);
        if (lease && leaseValid()) {
            readStates.add(new Ready.ReadState(requestId, index, true));
            return;
        }
        // Round 0: waits for the next heartbeat round, which checkReads starts at once unless one is in flight.
        pendingReads.add(new PendingRead(requestId, index, null));
        checkReads();
    }

    /** A follower's ReadIndex: confirmed as this leader's own read of the same mode would be. */
    private void handleReadIndex(Message.ReadIndex ri) {
        if (role != Role.LEADER || !progress.containsKey(ri.from())) {
            send(new Message.ReadIndexResponse(id, ri.from(), term, ri.id(), 0, false, 0));
            return;
        }
        PendingRead r = new PendingRead(ri.id(), Math.max(commitIndex, termStartIndex), ri.from());
        if (ri.lease() && leaseValid()) {
            answerRead(r);
            return;
        }
        pendingReads.add(r);
        checkReads();
    }

    /** Releases a confirmed read: locally as a ReadState, to a follower as a ReadIndexResponse. */
    private void answerRead(PendingRead r) {
        if (r.from == null) {
            readStates.add(new Ready.ReadState(r.id, r.index, true));
            return;
        }
        if (commitIndex < termStartIndex) {
            // Thesis §6.4 step 1: a leader answers a read index only once it has committed an entry
            // of its term (before that, its commit index may be behind a predecessor's).
            awaitingTermCommit.add(r);
            return;
        }
        Progress p = progress.get(r.from);
        long commit = p == null ? 0 : Math.min(p.match(), commitIndex);
        send(new Message.ReadIndexResponse(id, r.from, term, r.id, r.index, true, commit));
    }

    private void refuseRead(PendingRead r) {
        if (r.from == null) {
            readStates.add(new Ready.ReadState(r.id, 0, false));
        } else {
            send(new Message.ReadIndexResponse(id, r.from, term, r.id, 0, false, 0));
        }
    }

    /** The leader's answer to one of this follower's reads. */
    private void handleReadIndexResponse(Message.ReadIndexResponse resp) {
        RemoteRead r = remoteReads.get(resp.id());
        if (r == null || !r.leader().equals(resp.from()) || r.term() != resp.term()) {
            return; // a duplicate, or an answer for a read already given up
        }
        remoteReads.remove(resp.id());
        if (resp.ok() && role == Role.FOLLOWER && resp.from().equals(leader)) {
            commitTo(Math.min(resp.commit(), lastIndex()));
            readStates.add(new Ready.ReadState(resp.id(), resp.index(), true));
        } else {
            readStates.add(new Ready.ReadState(resp.id(), 0, false));
        }
    }

    /**
     * Gives up the follower's reads whose leader is no longer this server's leader (a new term, an
     * election, no leader) or that waited an election timeout without an answer.
     */
    private void checkRemoteReads() {
        if (remoteReads.isEmpty()) {
            return;
        }
        for (Iterator<Map.Entry<Long, RemoteRead>> it = remoteReads.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, RemoteRead> e = it.next();
            RemoteRead r = e.getValue();
            if (role != Role.FOLLOWER || !r.leader().equals(leader) || r.term() != term
                    || now - r.sentTick() >= opts.electionTicks()) {
                it.remove();
                readStates.add(new Ready.ReadState(e.getKey(), 0, false));
            }
        }
    }

    /** Whether a majority acknowledged a round recent enough for a lease read. */
    public boolean leaseValid() {
        if (role != Role.LEADER || leadTransferee != null || transferAttempted || !opts.checkQuorum()) {
            return false;
        }
        long acked = quorumAckedContext();
        Long tick = contextTicks.get(acked);
        return tick != null && now - tick < opts.leaseTicks();
    }

    /**
     * The heartbeat round a majority of voters acknowledged most recently (its context seq; this
     * server counts as acknowledging every round). With the time the round was sent, it bounds the
     * lease: no other leader can be elected until an election timeout after that send.
     */
    public long quorumAckedRound() {
        return quorumAckedContext();
    }

    /** Index of the first entry of this leader's term: applying it means every earlier commit is applied. */
    public long termStartIndex() {
        return termStartIndex;
    }

    private long newContext() {
        contextSeq++;
        contextTicks.put(contextSeq, now);
        return contextSeq;
    }

    private long quorumAckedContext() {
        List<String> v = voters();
        long[] acked = new long[v.size()];
        for (int i = 0; i < v.size(); i++) {
            String s = v.get(i);
            Progress p = progress.get(s);
            acked[i] = s.equals(id) ? contextSeq : p == null ? 0 : p.ackedContext();
        }
        return Quorum.committed(acked);
    }

    /**
     * Releases the reads whose round a majority acknowledged, then starts a round for reads still
     * waiting for one. Rounds are batched as etcd's read loop does: one round at a time, and every
     * read that arrives while it is in flight shares the next one, so a read costs one round trip
     * plus at most one more, and a burst of reads costs two rounds instead of one each. A round
     * left unanswered for a heartbeat interval (lost messages) no longer holds the next one back.
     */
    private void checkReads() {
        for (int pass = 0; pass < 2; pass++) {
            long acked = quorumAckedContext();
            while (!pendingReads.isEmpty() && pendingReads.peek().round != 0 && pendingReads.peek().round <= acked) {
                answerRead(pendingReads.poll());
            }
            // Ticks of rounds older than the majority-acknowledged one are no longer needed.
            contextTicks.headMap(acked).clear();
            if (role != Role.LEADER || pendingReads.isEmpty() || pendingReads.peekLast().round != 0) {
                return;
            }
            Long started = contextTicks.get(lastRoundSeq);
            if (acked < lastRoundSeq && started != null && now - started < opts.heartbeatTicks()) {
                return;
            }
            startRound();
        }
    }

    // ------------------------------------------------------------------ leader transfer

    /**
     * Starts handing leadership to {@code target} (or, when null, to the voter with the longest
     * log): proposals are refused meanwhile; once the target's log is complete it gets TimeoutNow
     * (thesis §3.10). Abandoned after an election timeout.
     *
     * @return the chosen target
     * @throws Rejected when not leader, or the target is not another voter
     */
    public String transferLeadership(String target) {
        requireLeader();
        if (target == null) {
            long best = -1;
            for (Map.Entry<String, Progress> e : progress.entrySet()) {
                if (isVoter(e.getKey()) && e.getValue().match() > best) {
                    best = e.getValue().match();
                    target = e.getKey();
                }
            }
            if (target == null) {
                throw new Rejected(Rejected.Reason.REFUSED, "there is no other voter to transfer leadership to");
            }
        }
        if (target.equals(id)) {
            throw new Rejected(Rejected.Reason.REFUSED, "'" + id + "' is already the leader");
        }
        if (!isVoter(target) || !progress.containsKey(target)) {
            throw new Rejected(Rejected.Reason.REFUSED, "'" + target + "' is not a voter of the configuration");
        }
        leadTransferee = target;
        transferElapsed = 0;
        transferAttempted = true;
        Progress p = progress.get(target);
        if (p.match() == lastIndex()) {
            send(new Message.TimeoutNow(id, target, term));
        } else {
            sendAppend(target);
        }
        return target;
    }

    // ------------------------------------------------------------------ snapshots

    /**
     * Records that the driver stored a snapshot of the state at {@code index} (applied already)
     * and drops log entries older than {@code index - trailing} from memory.
     *
     * @return the index up to which the persisted log may now be truncated (0: nothing)
     */
    public long compact(long index, long trailing) {
        if (index > appliedHanded) {
            throw new IllegalArgumentException("snapshot index " + index + " is beyond the applied index " + appliedHanded);
        }
        if (index <= snapIndex) {
            return 0;
        }
        long t = termAt(index);
        if (t < 0) {
            throw new IllegalArgumentException("snapshot index " + index + " is not in the log");
        }
        List<ServerInfo> c = configAt(index);
        snapIndex = index;
        snapTerm = t;
        snapConfig = c;
        long newPrev = Math.max(prevIndex, index - Math.max(0, trailing));
        if (newPrev > prevIndex) {
            long newPrevTerm = termAt(newPrev);
            entries.subList(0, (int) (newPrev - prevIndex)).clear();
            prevIndex = newPrev;
            prevTerm = newPrevTerm;
            return newPrev;
        }
        return 0;
    }

    /** The configuration in force at {@code index} (which must not be older than the snapshot). */
    public List<ServerInfo> configurationAt(long index) {
        return configAt(index);
    }

    private List<ServerInfo> configAt(long index) {
        for (long i = index; i > Math.max(prevIndex, snapIndex); i--) {
            LogEntry e = entryAt(i);
            if (e.kind() == EntryKind.CONFIGURATION) {
                return ServerConfigurations.decode(e.data(), "log entry " + i);
            }
        }
        return snapConfig;
    }

    /** The driver's report on a snapshot transfer to {@code peer}; a failure returns it to probing. */
    public void snapshotTransferred(String peer, boolean ok) {
        Progress p = progress.get(peer);
        if (role == Role.LEADER && p != null && p.state() == Progress.State.SNAPSHOT && !ok) {
            p.becomeProbe();
        }
    }

    // ------------------------------------------------------------------ messages

    /** Handles one message from another server. Messages may be stale, duplicated or reordered. */
    public void step(Message m) {
        if (!m.to().equals(id)) {
            throw new IllegalArgumentException("message for '" + m.to() + "' delivered to '" + id + "'");
        }
        if (m.term() > term) {
            if (m instanceof Message.RequestVote rv) {
                // Right after a (re)start the server may have acknowledged a leader it forgot, so it
                // waits one election timeout before granting, or a lease could be broken.
                boolean inLease = opts.checkQuorum() && electionElapsed < opts.electionTicks()
                        && (leader != null || (now < opts.electionTicks() && !fresh));
                if (!rv.transfer() && inLease) {
                    // Thesis §4.2.3: a server that hears from a current leader ignores candidates,
                    // so a partitioned or removed server cannot disrupt the cluster.
                    return;
                }
            }
            boolean preVoteTraffic = (m instanceof Message.RequestVote rv && rv.preVote())
                    || (m instanceof Message.RequestVoteResponse r && r.preVote() && r.granted());
            if (!preVoteTraffic) {
                boolean fromLeader = m instanceof Message.AppendEntries || m instanceof Message.Heartbeat
                        || m instanceof Message.InstallSnapshot;
                becomeFollower(m.term(), fromLeader ? m.from() : null);
            }
        } else if (m.term() < term) {
            if ((opts.checkQuorum() || opts.preVote())
                    && (m instanceof Message.AppendEntries || m instanceof Message.Heartbeat)) {
                // Tell a deposed leader about the newer term so it steps down.
                send(new Message.AppendEntriesResponse(id, m.from(), term, false, 0, 0, 0, true));
            } else if (m instanceof Message.RequestVote rv && rv.preVote()) {
                send(new Message.RequestVoteResponse(id, m.from(), term, false, true));
            } else if (m instanceof Message.ReadIndex ri) {
                // Asked of a leader of an older term: refused, and the newer term tells the asker.
                send(new Message.ReadIndexResponse(id, m.from(), term, ri.id(), 0, false, 0));
            }
            return;
        }
        if (m instanceof Message.RequestVote rv) {
            handleRequestVote(rv);
        } else if (m instanceof Message.RequestVoteResponse r) {
            handleVoteResponse(r);
        } else if (m instanceof Message.AppendEntries a) {
            if (role != Role.LEADER) {
                followLeader(a.from());
                handleAppendEntries(a);
            }
        } else if (m instanceof Message.Heartbeat h) {
            if (role != Role.LEADER) {
                followLeader(h.from());
                commitTo(Math.min(h.commit(), lastIndex()));
                send(new Message.AppendEntriesResponse(id, h.from(), term, true, lastIndex(), 0, h.context(), true));
            }
        } else if (m instanceof Message.InstallSnapshot s) {
            if (role != Role.LEADER) {
                followLeader(s.from());
                handleInstallSnapshot(s);
            }
        } else if (m instanceof Message.AppendEntriesResponse r) {
            if (role == Role.LEADER) {
                handleAppendResponse(r);
            }
        } else if (m instanceof Message.TimeoutNow) {
            if (role != Role.LEADER && promotable()) {
                campaign(false, true);
            }
        } else if (m instanceof Message.ReadIndex ri) {
            handleReadIndex(ri);
        } else if (m instanceof Message.ReadIndexResponse r) {
            handleReadIndexResponse(r);
        }
        checkRemoteReads();
    }

    private void followLeader(String from) {
        if (role != Role.FOLLOWER) {
            becomeFollower(term, from);
        }
        leader = from;
        electionElapsed = 0;
    }

    private boolean logUpToDate(long lastLogTerm, long lastLogIndex) {
        // Raft §5.4.1: the later term wins; with equal terms, the longer log.
        return lastLogTerm > lastTerm() || (lastLogTerm == lastTerm() && lastLogIndex >= lastIndex());
    }

    private void handleRequestVote(Message.RequestVote rv) {
        boolean canVote = rv.from().equals(vote) || (vote == null && leader == null)
                || (rv.preVote() && rv.term() > term);
        if (canVote && logUpToDate(rv.lastLogTerm(), rv.lastLogIndex())) {
            send(new Message.RequestVoteResponse(id, rv.from(), rv.preVote() ? rv.term() : term, true, rv.preVote()));
            if (!rv.preVote()) {
                vote = rv.from();
                hardStateDirty = true;
                electionElapsed = 0;
            }
        } else {
            send(new Message.RequestVoteResponse(id, rv.from(), term, false, rv.preVote()));
        }
    }

    private void handleVoteResponse(Message.RequestVoteResponse r) {
        boolean pre = r.preVote();
        if ((pre && role != Role.PRE_CANDIDATE) || (!pre && role != Role.CANDIDATE)) {
            return;
        }
        if (pre && r.granted() && r.term() != term + 1) {
            return;
        }
        if (!isVoter(r.from()) || votes.containsKey(r.from())) {
            return;
        }
        votes.put(r.from(), r.granted());
        tallyVotes(pre);
    }

    private void handleAppendEntries(Message.AppendEntries a) {
        if (a.prevLogIndex() < commitIndex) {
            // Everything up to the commit index matches any current leader's log (§5.4).
            send(new Message.AppendEntriesResponse(id, a.from(), term, true, commitIndex, 0, a.context(), false));
            return;
        }
        if (termAt(a.prevLogIndex()) != a.prevLogTerm() || a.prevLogIndex() > lastIndex()) {
            long hint = Math.min(a.prevLogIndex(), lastIndex());
            while (hint > prevIndex && hint > commitIndex && termAt(hint) > a.prevLogTerm()) {
                hint--;
            }
            send(new Message.AppendEntriesResponse(id, a.from(), term, false, a.prevLogIndex(), hint, a.context(), false));
            return;
        }
        long lastNew = a.prevLogIndex() + a.entries().size();
        for (LogEntry e : a.entries()) {
            long existing = termAt(e.index());
            if (e.index() <= lastIndex() && existing == e.term()) {
                continue;
            }
            if (e.index() <= lastIndex()) {
                if (e.index() <= commitIndex) {
                    throw new IllegalStateException("leader " + a.from() + " conflicts with committed entry " + e.index());
                }
                truncateFrom(e.index());
            }
            appendFollower(e);
        }
        commitTo(Math.min(a.leaderCommit(), lastNew));
        send(new Message.AppendEntriesResponse(id, a.from(), term, true, lastNew, 0, a.context(), false));
    }

    private void truncateFrom(long index) {
        entries.subList((int) (index - prevIndex - 1), entries.size()).clear();
        if (index < unstableFrom) {
            pendingTruncate = pendingTruncate == 0 ? index : Math.min(pendingTruncate, index);
            unstableFrom = index;
        }
        if (configIndex >= index) {
            recomputeConfig();
        }
    }

    private void appendFollower(LogEntry e) {
        entries.add(e);
        if (e.kind() == EntryKind.CONFIGURATION) {
            setConfig(ServerConfigurations.decode(e.data(), "log entry " + e.index()), e.index());
        }
    }

    private void commitTo(long index) {
        if (index > commitIndex) {
            commitIndex = index;
        }
    }

    private void handleInstallSnapshot(Message.InstallSnapshot s) {
        if (s.index() <= commitIndex) {
            send(new Message.AppendEntriesResponse(id, s.from(), term, true, commitIndex, 0, 0, false));
            return;
        }
        if (termAt(s.index()) == s.snapshotTerm()) {
            // Our log already holds the snapshot's last entry: keep the log, just commit (§7).
            commitTo(s.index());
            send(new Message.AppendEntriesResponse(id, s.from(), term, true, s.index(), 0, 0, false));
            return;
        }
        entries.clear();
        prevIndex = s.index();
        prevTerm = s.snapshotTerm();
        snapIndex = s.index();
        snapTerm = s.snapshotTerm();
        snapConfig = s.configuration();
        commitIndex = s.index();
        appliedHanded = s.index();
        unstableFrom = s.index() + 1;
        pendingTruncate = 0;
        persistedIndex = s.index();
        pendingRestore = s;
        setConfig(snapConfig, snapIndex);
        send(new Message.AppendEntriesResponse(id, s.from(), term, true, s.index(), 0, 0, false));
    }

    private void handleAppendResponse(Message.AppendEntriesResponse r) {
        Progress p = progress.get(r.from());
        if (p == null) {
            return;
        }
        p.recentActive(true);
        p.ackContext(r.context());
        if (r.heartbeat()) {
            p.heartbeatAnswered();
            checkReads();
            if (p.replicationStalled()) {
                p.becomeProbe(); // resend from the follower's match
            }
            if (p.match() < lastIndex()) {
                sendAppend(r.from());
            }
            return;
        }
        if (!r.success()) {
            if (p.rejected(r.index(), r.hintIndex())) {
                while (sendAppend(r.from()) && p.state() == Progress.State.REPLICATE && p.next() <= lastIndex()) {
                    // Refill the window from the rewound position.
                }
            }
            checkReads();
            return;
        }
        boolean wasPaused = p.paused();
        if (p.accepted(r.index())) {
            if (p.state() == Progress.State.PROBE) {
                p.becomeReplicate();
            } else if (p.state() == Progress.State.SNAPSHOT && p.match() >= p.pendingSnapshot()) {
                p.becomeProbe();
                p.becomeReplicate();
            }
            if (maybeCommit()) {
                broadcastCommit();
            } else if (wasPaused) {
                sendAppend(r.from());
            }
            while (p.state() == Progress.State.REPLICATE && p.next() <= lastIndex() && sendAppend(r.from())) {
                // Pipelining: keep the follower's window full.
            }
            // The commit may have advanced while this follower's appends were in flight.
            pushCommit(r.from());
            if (r.from().equals(leadTransferee) && p.match() == lastIndex()) {
                send(new Message.TimeoutNow(id, r.from(), term));
            }
        } else if (p.state() == Progress.State.SNAPSHOT && p.match() >= p.pendingSnapshot()) {
            p.becomeProbe();
            sendAppend(r.from());
        }
        checkReads();
    }

    private boolean maybeCommit() {
        List<String> v = voters();
        if (v.isEmpty()) {
            return false;
        }
        long[] match = new long[v.size()];
        for (int i = 0; i < v.size(); i++) {
            String s = v.get(i);
            Progress p = progress.get(s);
            match[i] = s.equals(id) ? persistedIndex : p == null ? 0 : p.match();
        }
        long c = Quorum.committed(match);
        // Raft §5.4.2: only entries of the current term are committed by counting replicas.
        if (c > commitIndex && termAt(c) == term) {
            commitIndex = c;
            if (!awaitingTermCommit.isEmpty() && commitIndex >= termStartIndex) {
                List<PendingRead> ready = new ArrayList<>(awaitingTermCommit);
                awaitingTermCommit.clear();
                ready.forEach(this::answerRead);
            }
            if (configIndex <= commitIndex && !isVoter(id)) {
                // Thesis §4.2.2: a leader removed by a committed configuration steps down.
                becomeFollower(term, null);
            }
            return true;
        }
        return false;
    }

    private void broadcastAppend() {
        for (String peer : new ArrayList<>(progress.keySet())) {
            sendAppend(peer);
        }
    }

    /**
     * After the commit index advanced: sends each follower what it lacks, and a follower that was
     * sent everything an empty append carrying the new commit index. Without it a follower learns
     * of the commit only with the next heartbeat, and its stale reads and applied state lag by up to
     * a heartbeat interval.
     */
    private void broadcastCommit() {
        for (String peer : new ArrayList<>(progress.keySet())) {
            if (!sendAppend(peer)) {
                pushCommit(peer);
            }
        }
    }

    /**
     * Sends {@code peer} an empty append with the commit index when it was sent every entry of the
     * log and not yet told that it may apply all it was sent. Its appends may still be in flight
     * (its answer not back yet): the empty append follows them on the ordered link and names the
     * last of them as its previous entry, so a follower that is slower than the majority (its
     * fsync still running when the others' answers committed the entry) applies the entry as soon
     * as it has it, not one round trip after its answer. Sent only when no append goes to the
     * follower now (those carry the commit index themselves).
     */
    private void pushCommit(String peer) {
        Progress p = progress.get(peer);
        if (p == null || role != Role.LEADER) {
            return; // stepped down (a committed configuration removed this leader)
        }
        long sent = p.next() - 1;
        long commit = Math.min(commitIndex, sent);
        if (p.state() == Progress.State.REPLICATE && sent == lastIndex() && sent >= prevIndex
                && commit > p.commitSent()) {
            send(new Message.AppendEntries(id, peer, term, sent, termAt(sent), List.of(), commit, contextSeq));
            p.commitSent(commit);
        }
    }

    private void broadcastHeartbeat() {
        startRound();
        checkReads();
    }

    /** Sends a heartbeat round to every peer; it confirms leadership for every read waiting for one. */
    private void startRound() {
        long seq = newContext();
        // Reads without a round sit at the tail of the queue, so the seqs in it stay ascending.
        for (Iterator<PendingRead> it = pendingReads.descendingIterator(); it.hasNext(); ) {
            PendingRead r = it.next();
            if (r.round != 0) {
                break;
            }
            r.round = seq;
        }
        lastRoundSeq = seq;
        for (String peer : progress.keySet()) {
            sendHeartbeat(peer, seq);
        }
    }

    private void sendHeartbeat(String peer, long seq) {
        Progress p = progress.get(peer);
        long commit = Math.min(p.match(), commitIndex);
        send(new Message.Heartbeat(id, peer, term, commit, seq));
        p.commitSent(commit);
    }

    /** Sends the next append (or snapshot) to {@code peer}; false when nothing was sent. */
    private boolean sendAppend(String peer) {
        Progress p = progress.get(peer);
        if (p == null || role != Role.LEADER || p.paused()) {
            return false;
        }
        long prev = p.next() - 1;
        long prevT = termAt(prev);
        if (prev < prevIndex || prevT < 0) {
            if (snapIndex == 0) {
                return false;
            }
            send(new Message.InstallSnapshot(id, peer, term, snapIndex, snapTerm, snapConfig));
            p.becomeSnapshot(snapIndex, now);
            return true;
        }
        if (p.state() == Progress.State.REPLICATE && p.next() > lastIndex()) {
            return false;
        }
        List<LogEntry> batch = new ArrayList<>();
        long bytes = 0;
        for (long i = p.next(); i <= lastIndex() && batch.size() < opts.maxBatchEntries(); i++) {
            LogEntry e = entryAt(i);
            if (!batch.isEmpty() && bytes + e.size() > opts.maxBatchBytes()) {
                break;
            }
            bytes += e.size();
            batch.add(e);
        }
        send(new Message.AppendEntries(id, peer, term, prev, prevT, batch, commitIndex, contextSeq));
        p.sent(prev + batch.size(), !batch.isEmpty());
        p.commitSent(Math.min(commitIndex, prev + batch.size()));
        return true;
    }

    private void send(Message m) {
        outbox.add(m);
    }

    // ------------------------------------------------------------------ ready / advance

    /** Whether {@link #ready()} has anything to hand out. */
    public boolean hasReady() {
        return hardStateDirty || pendingTruncate > 0 || unstableFrom <= lastIndex() || !outbox.isEmpty()
                || Math.min(commitIndex, lastIndex()) > appliedHanded || pendingRestore != null
                || !readStates.isEmpty() || !soft().equals(lastSoft);
    }

    /** Collects the pending effects; the caller must carry them out and then call {@link #advance}. */
    public Ready ready() {
        Ready.HardState hs = hardStateDirty ? new Ready.HardState(term, vote) : null;
        List<LogEntry> toPersist = unstableFrom <= lastIndex()
                ? List.copyOf(entries.subList((int) (unstableFrom - prevIndex - 1), entries.size())) : List.of();
        long applyTo = Math.min(Math.min(commitIndex, lastIndex()), appliedHanded + MAX_COMMITTED_PER_READY);
        List<LogEntry> committed = new ArrayList<>();
        for (long i = appliedHanded + 1; i <= applyTo; i++) {
            committed.add(entryAt(i));
        }
        Ready r = new Ready(hs, pendingTruncate, toPersist, outbox, committed, pendingRestore,
                readStates, soft());
        hardStateDirty = false;
        pendingTruncate = 0;
        unstableFrom = lastIndex() + 1;
        outbox = new ArrayList<>();
        appliedHanded = Math.max(appliedHanded, applyTo);
        pendingRestore = null;
        readStates = new ArrayList<>();
        lastSoft = r.soft();
        return r;
    }

    /** Acknowledges that {@code r} was carried out: its entries are durable now. */
    public void advance(Ready r) {
        if (!r.entries().isEmpty()) {
            persistedIndex = r.entries().get(r.entries().size() - 1).index();
        } else if (r.truncateFrom() > 0) {
            persistedIndex = Math.min(persistedIndex, r.truncateFrom() - 1);
        }
        if (role == Role.LEADER && maybeCommit()) {
            broadcastCommit();
        }
    }

    @Override
    public String toString() {
        return id + "{" + role + " term=" + term + " leader=" + leader + " last=" + lastIndex() + " commit="
                + commitIndex + " snap=" + snapIndex + "}";
    }
}
