package io.tribune.raft.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.transport.Endpoint;
import io.tribune.raft.internal.tracker.Progress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The core driven message by message, with a hand-operated network. No threads, no clocks. */
class RaftCoreTest {
    private static final RaftOptions OPTS = new RaftOptions(10, 2, true, true, 4, 64, 1 << 20,
            RaftOptions.leaseTicksFor(10, 0.05));

    /** A tiny network: every Ready is "persisted" at once, messages are queued until delivered. */
    static final class Net {
        final Map<String, RaftCore> cores = new LinkedHashMap<>();
        final List<Message> queue = new ArrayList<>();
        final TreeSet<String> isolated = new TreeSet<>();
        final Map<String, List<LogEntry>> applied = new LinkedHashMap<>();
        final Map<String, List<Ready.ReadState>> reads = new LinkedHashMap<>();
        final Map<String, Message.InstallSnapshot> restored = new LinkedHashMap<>();

        Net(int n) {
            this(n, true);
        }

        Net(int n, boolean leaveBootLease) {
            List<ServerInfo> config = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                config.add(server("n" + i, true));
            }
            for (ServerInfo s : config) {
                add(s.id(), config);
            }
            if (!leaveBootLease) {
                return;
            }
            // Let every server leave its post-boot lease (it ignores candidates for one election
            // timeout after a start), with the network cut so nobody wins meanwhile.
            isolated.addAll(cores.keySet());
            tickAll(OPTS.electionTicks());
            isolated.clear();
        }

        void add(String id, List<ServerInfo> bootstrap) {
            List<LogEntry> log = bootstrap.isEmpty() ? List.of()
                    : List.of(new LogEntry(1, 1, EntryKind.CONFIGURATION, ServerConfigurations.encode(bootstrap)));
            cores.put(id, new RaftCore(id, OPTS, new SplittableRandom(id.hashCode()),
                    new RaftCore.InitialState(bootstrap.isEmpty() ? 0 : 1, null, 0, 0, List.of(), 0, 0, log)));
            applied.put(id, new ArrayList<>());
            reads.put(id, new ArrayList<>());
        }

        RaftCore get(String id) {
            return cores.get(id);
        }

        /** Processes every core's Ready (persist, collect messages, apply, advance). */
        void flush() {
            boolean any = true;
            while (any) {
                any = false;
                for (Map.Entry<String, RaftCore> e : cores.entrySet()) {
                    RaftCore c = e.getValue();
                    while (c.hasReady()) {
                        any = true;
                        Ready r = c.ready();
                        if (r.snapshot() != null) {
                            restored.put(e.getKey(), r.snapshot());
                        }
                        queue.addAll(r.messages());
                        applied.get(e.getKey()).addAll(r.committed());
                        reads.get(e.getKey()).addAll(r.reads());
                        c.advance(r);
                    }
                }
            }
        }

        boolean cut(Message m) {
            return isolated.contains(m.from()) || isolated.contains(m.to());
        }

        /** Delivers messages until none is left. */
        void settle() {
            for (int round = 0; round < 1000; round++) {
                flush();
                if (queue.isEmpty()) {
                    return;
                }
                List<Message> now = new ArrayList<>(queue);
                queue.clear();
                for (Message m : now) {
                    RaftCore to = cores.get(m.to());
                    if (to != null && !cut(m)) {
                        to.step(m);
                    }
                }
            }
            throw new AssertionError("network did not settle");
        }

        void tick(String id, int n) {
            for (int i = 0; i < n; i++) {
                cores.get(id).tick();
                settle();
            }
        }

        void tickAll(int n) {
            for (int i = 0; i < n; i++) {
                for (RaftCore c : cores.values()) {
                    c.tick();
                }
                settle();
            }
        }

        String leader() {
            String l = null;
            for (RaftCore c : cores.values()) {
                if (c.role() == Role.LEADER && !isolated.contains(c.id())) {
                    assertTrue(l == null, "two reachable leaders");
                    l = c.id();
                }
            }
            return l;
        }

        /** Ticks one server until it campaigns and wins. */
        String elect(String id) {
            for (int i = 0; i < 40 && get(id).role() != Role.LEADER; i++) {
                tick(id, 1);
            }
            assertEquals(Role.LEADER, get(id).role(), id + " should have won");
            return id;
        }
    }

    static ServerInfo server(String id, boolean voter) {
        return new ServerInfo(id, new Endpoint("h-" + id, 8300), voter);
    }

    static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void singleVoterCommitsOnlyAfterItsOwnAppendIsPersisted() {
        RaftCore c = new RaftCore("n1", OPTS, new SplittableRandom(1), new RaftCore.InitialState(1, null, 0, 0,
                List.of(), 0, 0, List.of(new LogEntry(1, 1, EntryKind.CONFIGURATION,
                ServerConfigurations.encode(List.of(server("n1", true)))))));
        for (int i = 0; i < 25 && c.role() != Role.LEADER; i++) {
            c.tick();
        }
        assertEquals(Role.LEADER, c.role());
        Ready r = c.ready();
        assertEquals(2, c.term());
        assertNotNull(r.hardState(), "the new term and the self-vote must be persisted");
        assertEquals("n1", r.hardState().vote());
        assertEquals(List.of(EntryKind.NOOP), r.entries().stream().map(LogEntry::kind).toList());
        assertEquals(0, c.commitIndex(), "nothing of the new term commits before the append is durable");
        c.advance(r);
        assertEquals(2, c.commitIndex());
        long index = c.propose(EntryKind.COMMAND, b("x"));
        assertEquals(3, index);
        Ready r2 = c.ready();
        assertEquals(2, c.commitIndex());
        c.advance(r2);
        Ready r3 = c.ready();
        assertEquals(3, r3.committed().get(r3.committed().size() - 1).index());
    }

    @Test
    void threeServersElectOneLeaderAndReplicate() {
        Net net = new Net(3);
        String leader = net.elect("n1");
        assertEquals(leader, net.get("n2").leader());
        long idx = net.get(leader).propose(EntryKind.COMMAND, b("a"));
        net.settle();
        for (String id : List.of("n1", "n2")) {
            List<LogEntry> a = net.applied.get(id);
            assertEquals(idx, a.get(a.size() - 1).index(), id + " applies the command");
        }
        assertThrows(Rejected.class, () -> net.get("n2").propose(EntryKind.COMMAND, b("b")), "followers refuse");
    }

    @Test
    void followersLearnANewCommitIndexWithoutWaitingForAHeartbeat() {
        Net net = new Net(3);
        String leader = net.elect("n1");
        for (int i = 0; i < 3; i++) {
            long idx = net.get(leader).propose(EntryKind.COMMAND, b("v" + i));
            net.settle(); // messages only: no tick, so no heartbeat is sent
            // n2's answer commits the entry; n3's arrives after that and must still learn of it.
            assertEquals(idx, net.get(leader).commitIndex());
            for (String id : List.of("n2", "n3")) {
                assertEquals(idx, net.get(id).commitIndex(), id + " knows the commit of " + idx);
                List<LogEntry> a = net.applied.get(id);
                assertEquals(idx, a.get(a.size() - 1).index(), id + " applied " + idx);
            }
        }
        // Each follower was told the commit once: a further settle sends nothing.
        net.settle();
        assertTrue(net.queue.isEmpty());
    }

    @Test
    void aFollowerSlowerThanTheMajorityLearnsTheCommitBeforeItsAnswerReturns() {
        Net net = new Net(3);
        String leader = net.elect("n1");
        long idx = net.get(leader).propose(EntryKind.COMMAND, b("a"));
        net.flush();
        deliver(net, net.queue.stream().filter(m -> m.from().equals(leader)).toList()); // the appends
        net.flush();
        // n3's answer is still on its way (its fsync was slower); n2's commits the entry.
        List<Message> fromN3 = net.queue.stream().filter(m -> m.from().equals("n3")).toList();
        assertFalse(fromN3.isEmpty());
        net.queue.removeAll(fromN3);
        deliver(net, net.queue.stream().filter(m -> m.from().equals("n2")).toList());
        net.flush();
        assertEquals(idx, net.get(leader).commitIndex());
        assertTrue(net.get("n3").commitIndex() < idx);
        List<Message> toN3 = net.queue.stream().filter(m -> m.to().equals("n3")).toList();
        assertTrue(toN3.stream().anyMatch(m -> m instanceof Message.AppendEntries a && a.entries().isEmpty()
                && a.leaderCommit() == idx), "the leader pushes the commit to n3 at once: " + toN3);
        deliver(net, toN3);
        net.flush();
        assertEquals(idx, net.get("n3").commitIndex(), "n3 knows the commit before its answer reached the leader");
        List<LogEntry> a = net.applied.get("n3");
        assertEquals(idx, a.get(a.size() - 1).index());
        // Its late answer and the answer to the push change nothing more.
        net.queue.addAll(fromN3);
        net.settle();
        assertEquals(idx, net.get(leader).progress("n3").match());
        assertEquals(idx, net.get(leader).lastIndex());
    }

    /** Takes {@code messages} out of the queue and steps each into its recipient. */
    private static void deliver(Net net, List<Message> messages) {
        net.queue.removeAll(messages);
        for (Message m : messages) {
            net.get(m.to()).step(m);
        }
    }

    @Test
    void aFollowerWhoseLastAppendWasLostCatchesUpWithoutAnotherWrite() {
        Net net = new Net(3);
        String leader = net.elect("n1");
        net.get(leader).propose(EntryKind.COMMAND, b("a"));
        net.settle();
        long idx = net.get(leader).propose(EntryKind.COMMAND, b("b"));
        net.flush();
        // The append carrying "b" to n3 is lost (a transport swap, a dropped connection), and so is
        // the commit index pushed after it; n2 gets both.
        net.queue.removeIf(m -> m instanceof Message.AppendEntries a && a.to().equals("n3") && !a.entries().isEmpty());
        net.isolated.add("n3");
        net.settle();
        net.isolated.remove("n3");
        assertEquals(idx, net.get(leader).commitIndex(), "n2's copy commits it");
        assertTrue(net.get("n3").lastIndex() < idx);
        // No more writes: heartbeats alone must find and repair the gap.
        net.tickAll(4 * OPTS.heartbeatTicks());
        assertEquals(idx, net.get("n3").lastIndex(), "n3 got the lost entry again");
        assertEquals(idx, net.get("n3").commitIndex());
    }

    @Test
    void voteRequiresAnUpToDateLog() {
        Net net = new Net(3);
        net.elect("n1");
        net.get("n1").propose(EntryKind.COMMAND, b("a"));
        net.settle();
        RaftCore n2 = net.get("n2");
        long term = n2.term();
        net.tickAll(0);
        // n3 claims a log older than n2's: denied (Raft §5.4.1), even with a higher term.
        n2.tick(); // nothing
        for (int i = 0; i < 11; i++) {
            n2.tick(); // leave the leader lease so the request is considered at all
        }
        n2.ready();
        n2.step(new Message.RequestVote("n3", "n2", term + 5, 1, 1, false, false));
        Ready r = n2.ready();
        Message.RequestVoteResponse resp = (Message.RequestVoteResponse) r.messages().stream()
                .filter(m -> m instanceof Message.RequestVoteResponse).findFirst().orElseThrow();
        assertFalse(resp.granted());
        assertEquals(term + 5, n2.term(), "the higher term is adopted anyway");
    }

    @Test
    void preVoteKeepsAnIsolatedServerFromRaisingTheTerm() {
        Net net = new Net(3);
        net.elect("n1");
        long term = net.get("n1").term();
        net.isolated.add("n3");
        net.tick("n3", 100);
        assertEquals(term, net.get("n3").term(), "pre-votes fail without raising the term (thesis §9.6)");
        net.isolated.clear();
        net.tickAll(3);
        assertEquals("n1", net.leader(), "the rejoining server does not disrupt the leader");
        assertEquals(term, net.get("n1").term());
    }

    @Test
    void checkQuorumMakesAnIsolatedLeaderStepDown() {
        Net net = new Net(3);
        net.elect("n1");
        net.isolated.add("n1");
        net.tick("n1", 2 * OPTS.electionTicks() + 1);
        assertEquals(Role.FOLLOWER, net.get("n1").role(), "no quorum heard: step down (thesis §6.2)");
        assertFalse(net.get("n1").leaseValid());
    }

    @Test
    void followerInContactWithLeaderIgnoresVoteRequests() {
        Net net = new Net(3);
        net.elect("n1");
        RaftCore n2 = net.get("n2");
        long term = n2.term();
        n2.step(new Message.RequestVote("n3", "n2", term + 1, 100, 100, false, false));
        assertEquals(term, n2.term(), "a disruptive candidate is ignored while the leader is current (§4.2.3)");
        n2.step(new Message.RequestVote("n3", "n2", term + 1, 100, 100, false, true));
        assertEquals(term + 1, n2.term(), "a transfer election is honoured");
    }

    @Test
    void conflictingFollowerIsRepairedByBacktracking() {
        Net net = new Net(3);
        net.elect("n1");
        net.settle();
        // n1 appends entries only n1 has, then loses leadership to n2.
        net.isolated.add("n1");
        for (int i = 0; i < 5; i++) {
            net.get("n1").propose(EntryKind.COMMAND, b("lost" + i));
        }
        net.flush();
        net.queue.clear();
        net.tickAll(4 * OPTS.electionTicks()); // n1 steps down (check-quorum); n2 or n3 takes over
        String next = net.leader();
        assertNotNull(next);
        assertNotEquals("n1", next);
        for (int i = 0; i < 3; i++) {
            net.get(next).propose(EntryKind.COMMAND, b("kept" + i));
        }
        net.settle();
        assertNotEquals(Role.LEADER, net.get("n1").role(), "the cut-off leader stepped down");
        net.isolated.clear();
        net.tickAll(6);
        RaftCore n1 = net.get("n1");
        RaftCore n2 = net.get(next);
        assertEquals(n2.lastIndex(), n1.lastIndex());
        for (long i = 1; i <= n2.lastIndex(); i++) {
            assertEquals(n2.entryAt(i), n1.entryAt(i), "index " + i + " repaired");
        }
        assertTrue(net.applied.get("n1").stream().noneMatch(e -> new String(e.data()).startsWith("lost")),
                "uncommitted entries of the old leader are never applied");
    }

    @Test
    void configurationChangesGoOneServerAtATime() {
        Net net = new Net(3);
        net.elect("n1");
        RaftCore l = net.get("n1");
        List<ServerInfo> cfg = new ArrayList<>(l.configuration());
        List<ServerInfo> two = new ArrayList<>(cfg);
        two.add(server("n4", true));
        two.add(server("n5", true));
        assertThrows(Rejected.class, () -> l.proposeConfiguration(two), "two servers at once");
        List<ServerInfo> plus4 = new ArrayList<>(cfg);
        plus4.add(server("n4", false));
        long idx = l.proposeConfiguration(plus4);
        assertTrue(idx > 0);
        assertEquals(4, l.configuration().size(), "takes effect when appended (thesis §4.1)");
        List<ServerInfo> again = new ArrayList<>(plus4);
        again.remove(2);
        assertThrows(Rejected.class, () -> l.proposeConfiguration(again), "previous change not committed yet");
        net.add("n4", List.of());
        net.settle();
        net.tickAll(4);
        assertEquals(l.lastIndex(), net.get("n4").lastIndex(), "the non-voter catches up");
        assertFalse(net.get("n4").promotable(), "a non-voter never campaigns");
        assertEquals(0, l.proposeConfiguration(plus4), "no change, nothing proposed");
    }

    @Test
    void removedLeaderStepsDownOnceTheChangeCommits() {
        Net net = new Net(3);
        net.elect("n1");
        RaftCore l = net.get("n1");
        List<ServerInfo> without = new ArrayList<>(l.configuration());
        without.removeIf(s -> s.id().equals("n1"));
        l.proposeConfiguration(without);
        net.settle();
        assertEquals(Role.FOLLOWER, l.role(), "thesis §4.2.2");
        assertFalse(l.promotable());
        net.tickAll(45);
        assertNotNull(net.leader());
        assertNotEquals("n1", net.leader());
    }

    @Test
    void leaderTransferHandsOverWithTimeoutNow() {
        Net net = new Net(3);
        net.elect("n1");
        long term = net.get("n1").term();
        assertEquals("n3", net.get("n1").transferLeadership("n3"));
        assertThrows(Rejected.class, () -> net.get("n1").propose(EntryKind.COMMAND, b("x")),
                "proposals wait during a transfer");
        net.settle();
        assertEquals("n3", net.leader());
        assertEquals(term + 1, net.get("n3").term(), "one election, no timeout waited");
        assertThrows(Rejected.class, () -> net.get("n3").transferLeadership("n9"));
    }

    @Test
    void readIndexNeedsAQuorumRoundAndLeaseReadsDoNot() {
        Net net = new Net(3);
        net.elect("n1");
        RaftCore l = net.get("n1");
        net.tickAll(2); // a heartbeat round acknowledged by everyone
        l.read(1, true);
        net.flush();
        assertEquals(1, net.reads.get("n1").size(), "lease read answered without a round");
        net.isolated.add("n1");
        l.read(2, false);
        net.settle();
        assertEquals(1, net.reads.get("n1").size(), "read index waits for a quorum");
        net.tick("n1", OPTS.leaseTicks() + 1);
        assertFalse(l.leaseValid(), "the lease expires without acknowledgements");
        net.isolated.clear();
        net.tickAll(2);
        assertEquals(2, net.reads.get("n1").size(), "confirmed once the quorum answers");
        Ready.ReadState rs = net.reads.get("n1").get(1);
        assertTrue(rs.ok());
        assertTrue(rs.index() >= l.commitIndex() - 0 && rs.index() >= 2);
        net.isolated.clear();
        net.get("n3").step(new Message.RequestVote("n2", "n3", l.term() + 5, 0, 0, true, false));
        net.get("n3").step(new Message.Heartbeat("n2", "n3", l.term() + 1, 0, 0));
        net.get("n3").step(new Message.AppendEntriesResponse("n1", "n3", l.term() + 2, false, 0, 0, 0, true));
        assertEquals(null, net.get("n3").leader());
        assertThrows(Rejected.class, () -> net.get("n3").read(3, false), "a follower that knows no leader refuses");
    }

    /** Delivers the queued messages {@code which} selects (unless cut) and keeps the others queued. */
    private static void deliverOnly(Net net, java.util.function.Predicate<Message> which) {
        List<Message> now = new ArrayList<>(net.queue);
        net.queue.clear();
        for (Message m : now) {
            if (!which.test(m)) {
                net.queue.add(m);
            } else if (!net.cut(m)) {
                net.get(m.to()).step(m);
            }
        }
        net.flush();
    }

    private static List<Message.ReadIndexResponse> readAnswers(Net net) {
        return net.queue.stream().filter(m -> m instanceof Message.ReadIndexResponse)
                .map(m -> (Message.ReadIndexResponse) m).toList();
    }

    @Test
    void followerReadsGetTheirIndexFromTheLeaderConfirmedAsTheLeadersOwnReads() {
        Net net = new Net(3);
        net.elect("n1");
        net.get("n1").propose(EntryKind.COMMAND, b("x"));
        net.settle();
        net.tickAll(2); // a heartbeat round acknowledged by everyone: n1 holds its lease
        RaftCore l = net.get("n1");
        RaftCore f = net.get("n2");
        // CONSISTENT: the leader answers only after a heartbeat round started after the request.
        f.read(10, false);
        net.flush();
        deliverOnly(net, m -> m instanceof Message.ReadIndex);
        assertTrue(readAnswers(net).isEmpty(), "no answer before a round");
        assertEquals(2, heartbeats(net.queue).size(), "the request started a round");
        net.settle();
        assertEquals(List.of(new Ready.ReadState(10, l.commitIndex(), true)), net.reads.get("n2"));
        // DEFAULT: answered from the lease at once, without a round.
        f.read(11, true);
        net.flush();
        deliverOnly(net, m -> m instanceof Message.ReadIndex);
        assertTrue(heartbeats(net.queue).isEmpty(), "a lease answer needs no round");
        assertEquals(1, readAnswers(net).size());
        net.settle();
        assertEquals(new Ready.ReadState(11, l.commitIndex(), true), net.reads.get("n2").get(1));
        assertTrue(net.reads.get("n1").isEmpty(), "the leader's own reads are not involved");
    }

    @Test
    void aNewLeaderAnswersFollowerReadsOnlyOnceItCommittedAnEntryOfItsTerm() {
        Net net = new Net(3);
        net.elect("n1");
        net.settle();
        net.get("n1").transferLeadership("n2");
        net.flush();
        deliverOnly(net, m -> m instanceof Message.TimeoutNow);
        net.isolated.add("n1");
        for (int i = 0; i < 5 && net.get("n2").role() != Role.LEADER; i++) {
            deliverOnly(net, m -> m instanceof Message.RequestVote || m instanceof Message.RequestVoteResponse);
        }
        RaftCore l = net.get("n2");
        assertEquals(Role.LEADER, l.role());
        // n3 follows n2; its acknowledgement of n2's no-op is held back, so nothing of n2's term commits.
        deliverOnly(net, m -> m instanceof Message.AppendEntries && m.to().equals("n3"));
        List<Message> heldAcks = net.queue.stream().filter(m -> m instanceof Message.AppendEntriesResponse).toList();
        net.queue.removeAll(heldAcks);
        assertEquals(1, heldAcks.size());
        assertTrue(l.commitIndex() < l.termStartIndex());
        net.get("n3").read(7, false);
        net.flush();
        deliverOnly(net, m -> m instanceof Message.ReadIndex);
        deliverOnly(net, m -> m instanceof Message.Heartbeat && m.to().equals("n3"));
        deliverOnly(net, m -> m instanceof Message.AppendEntriesResponse r && r.heartbeat());
        assertTrue(readAnswers(net).isEmpty(), "leadership is confirmed, but no entry of the term is committed yet");
        // The no-op commits: the held answer goes out, with the index of the term's first entry.
        net.queue.addAll(heldAcks);
        deliverOnly(net, m -> m instanceof Message.AppendEntriesResponse);
        assertEquals(l.termStartIndex(), l.commitIndex());
        List<Message.ReadIndexResponse> answers = readAnswers(net);
        assertEquals(1, answers.size());
        assertTrue(answers.get(0).ok());
        assertEquals(l.termStartIndex(), answers.get(0).index());
    }

    @Test
    void aFollowerReadFailsWhenItsLeaderChangesOrDoesNotAnswer() {
        Net net = new Net(3);
        net.elect("n1");
        net.settle();
        RaftCore f = net.get("n2");
        // Lost: no answer within an election timeout.
        f.read(20, false);
        net.flush();
        net.queue.clear();
        for (int i = 0; i < OPTS.electionTicks() && net.reads.get("n2").isEmpty(); i++) {
            f.tick();
            net.flush();
            net.queue.clear();
        }
        assertEquals(List.of(new Ready.ReadState(20, 0, false)), net.reads.get("n2"));
        // A new term (another leader) before the answer: given up at once.
        net.settle();
        net.tickAll(2);
        f.read(21, false);
        net.flush();
        net.queue.clear();
        f.step(new Message.Heartbeat("n3", "n2", f.term() + 1, 0, 0));
        net.flush();
        assertEquals(new Ready.ReadState(21, 0, false), net.reads.get("n2").get(1));
        // A server that does not lead refuses a ReadIndex.
        net.queue.clear();
        assertEquals(Role.FOLLOWER, net.get("n3").role());
        net.get("n3").step(new Message.ReadIndex("n1", "n3", net.get("n3").term(), 22, false));
        net.flush();
        List<Message.ReadIndexResponse> answers = readAnswers(net);
        assertEquals(1, answers.size());
        assertFalse(answers.get(0).ok());
        // An answer from another leader, or a duplicate, is ignored.
        f.step(new Message.ReadIndexResponse("n1", "n2", f.term(), 21, 5, true, 0));
        net.flush();
        assertEquals(2, net.reads.get("n2").size());
    }

    @Test
    void aNewClusterElectsItsFirstVoterWithinAHeartbeatInterval() {
        Net net = new Net(3, false);
        for (int t = 0; t < OPTS.heartbeatTicks(); t++) {
            net.tickAll(1);
        }
        assertEquals("n1", net.leader(), "the first voter of a new cluster campaigns at once and wins");
        assertEquals(2, net.get("n1").term(), "one election, no split vote");
    }

    /** Ticks {@code c} once and returns the vote requests it sent (its Ready persisted and advanced). */
    private static List<Message.RequestVote> tickForVotes(RaftCore c) {
        c.tick();
        List<Message.RequestVote> out = new ArrayList<>();
        while (c.hasReady()) {
            Ready r = c.ready();
            r.messages().stream().filter(m -> m instanceof Message.RequestVote)
                    .forEach(m -> out.add((Message.RequestVote) m));
            c.advance(r);
        }
        return out;
    }

    /** The ticks at which {@code c}, ticked {@code ticks} times with nothing delivered, asked for votes. */
    private static List<Integer> campaignTicks(RaftCore c, int ticks) {
        List<Integer> at = new ArrayList<>();
        for (int t = 1; t <= ticks; t++) {
            if (!tickForVotes(c).isEmpty()) {
                at.add(t);
            }
        }
        return at;
    }

    @Test
    void aNewClustersFirstVoterAsksForPreVotesAgainEveryHeartbeatWhileNoneIsAnswered() {
        // The other servers start their consensus later: until then every pre-vote request is lost.
        Net net = new Net(3, false);
        RaftCore n1 = net.get("n1");
        int hb = OPTS.heartbeatTicks();
        List<Integer> at = campaignTicks(n1, 3 * OPTS.electionTicks());
        List<Integer> expected = new ArrayList<>();
        for (int t = hb; t <= 3 * OPTS.electionTicks(); t += hb) {
            expected.add(t);
        }
        assertEquals(expected, at, "one pre-vote round per heartbeat interval, not per election timeout");
        assertEquals(1, n1.term(), "pre-votes raise no term (thesis §9.6)");
        assertEquals(null, n1.vote(), "and record no vote");
        // Once the others answer, the next round elects n1 at term 2 at once.
        net.tickAll(hb);
        assertEquals("n1", net.leader());
        assertEquals(2, n1.term());
    }

    @Test
    void theOtherServersOfANewClusterKeepTheirFullElectionTimeouts() {
        Net net = new Net(3, false);
        for (String id : List.of("n2", "n3")) {
            List<Integer> at = campaignTicks(net.get(id), 3 * OPTS.electionTicks());
            assertFalse(at.isEmpty(), id + " campaigns eventually");
            assertTrue(at.get(0) >= OPTS.electionTicks(), id + " waits a full timeout first: " + at);
            for (int i = 1; i < at.size(); i++) {
                assertTrue(at.get(i) - at.get(i - 1) >= OPTS.electionTicks(), id + " between rounds too: " + at);
            }
        }
    }

    @Test
    void theFirstVotersShortTimeoutEndsWithItsFirstRealVote() {
        Net net = new Net(3, false);
        RaftCore n1 = net.get("n1");
        List<Message.RequestVote> pre = List.of();
        for (int t = 0; t < OPTS.heartbeatTicks() && pre.isEmpty(); t++) {
            pre = tickForVotes(n1);
        }
        assertTrue(pre.stream().allMatch(Message.RequestVote::preVote));
        // n2 grants the pre-vote: n1 becomes a candidate of term 2, and then every message is lost.
        n1.step(new Message.RequestVoteResponse("n2", "n1", 2, true, true));
        List<Message.RequestVote> real = new ArrayList<>();
        while (n1.hasReady()) {
            Ready r = n1.ready();
            r.messages().stream().filter(m -> m instanceof Message.RequestVote)
                    .forEach(m -> real.add((Message.RequestVote) m));
            n1.advance(r);
        }
        assertEquals(Role.CANDIDATE, n1.role());
        assertEquals(2, n1.term());
        assertFalse(real.isEmpty());
        assertTrue(real.stream().noneMatch(Message.RequestVote::preVote));
        List<Integer> at = campaignTicks(n1, 3 * OPTS.electionTicks());
        assertFalse(at.isEmpty());
        assertTrue(at.get(0) >= OPTS.electionTicks(),
                "after a real vote the usual randomized timeout applies again: " + at);
    }

    @Test
    void aRestartedServerStillIgnoresCandidatesForAnElectionTimeout() {
        Net net = new Net(3);
        net.elect("n1");
        net.settle();
        long term = net.get("n1").term();
        // n2 restarts with what it persisted (a term above 1): it may have acknowledged n1's lease.
        RaftCore n2 = net.get("n2");
        net.cores.put("n2", new RaftCore("n2", OPTS, new java.util.SplittableRandom(7),
                new RaftCore.InitialState(n2.term(), n2.vote(), 0, 0, List.of(), 0, 0,
                        java.util.stream.LongStream.rangeClosed(1, n2.lastIndex()).mapToObj(n2::entryAt).toList())));
        net.get("n2").step(new Message.RequestVote("n3", "n2", term + 1, 100, term, false, false));
        net.flush();
        assertTrue(net.queue.stream().noneMatch(m -> m instanceof Message.RequestVoteResponse r && r.granted()),
                "no vote right after a restart");
        assertEquals(term, net.get("n2").term(), "the candidate's term was not even adopted");
    }

    /** Three servers, n1 leading, with read 1 started and its round queued, not delivered. */
    private static Net threeWithOneReadInFlight() {
        Net net = new Net(3);
        net.elect("n1");
        net.settle();
        net.get("n1").read(1, false);
        net.flush();
        return net;
    }

    /** Delivers the queued messages once (what they cause stays queued). */
    private static void deliverQueued(Net net) {
        List<Message> now = new ArrayList<>(net.queue);
        net.queue.clear();
        for (Message m : now) {
            net.get(m.to()).step(m);
        }
        net.flush();
    }

    @Test
    void readsArrivingWhileARoundIsInFlightShareTheNextRound() {
        Net net = threeWithOneReadInFlight();
        RaftCore l = net.get("n1");
        List<Message> first = heartbeats(net.queue);
        assertEquals(2, first.size(), "the first read starts a round at once: one heartbeat per follower");
        // Three more reads while that round is unanswered: no new round yet.
        l.read(2, false);
        l.read(3, false);
        l.read(4, false);
        net.flush();
        assertEquals(2, heartbeats(net.queue).size(), "no round per read while one is in flight");
        // Deliver the first round and its answers only: read 1 is confirmed, and one round starts for 2..4.
        deliverQueued(net);
        deliverQueued(net);
        assertEquals(List.of(1L), readIds(net.reads.get("n1")), "only the read older than the round is confirmed");
        assertEquals(2, heartbeats(net.queue).size(), "one round for the three reads that waited");
        net.settle();
        assertEquals(List.of(1L, 2L, 3L, 4L), readIds(net.reads.get("n1")));
        assertTrue(net.reads.get("n1").stream().allMatch(Ready.ReadState::ok));
    }

    @Test
    void aLostReadRoundIsReplacedByTheNextHeartbeat() {
        Net net = threeWithOneReadInFlight();
        RaftCore l = net.get("n1");
        net.queue.clear(); // the round is lost
        l.read(2, false);
        net.settle();
        assertTrue(net.reads.get("n1").isEmpty(), "nothing confirmed without acknowledgements");
        net.tick("n1", OPTS.heartbeatTicks());
        assertEquals(List.of(1L, 2L), readIds(net.reads.get("n1")), "a later round confirms both");
    }

    private static List<Message> heartbeats(List<Message> q) {
        return q.stream().filter(m -> m instanceof Message.Heartbeat).toList();
    }

    private static List<Long> readIds(List<Ready.ReadState> rs) {
        return rs.stream().map(Ready.ReadState::id).toList();
    }

    @Test
    void laggingFollowerReceivesTheSnapshotAfterCompaction() {
        Net net = new Net(3);
        net.elect("n1");
        net.isolated.add("n3");
        RaftCore l = net.get("n1");
        for (int i = 0; i < 20; i++) {
            l.propose(EntryKind.COMMAND, b("c" + i));
        }
        net.settle();
        long applied = net.applied.get("n1").get(net.applied.get("n1").size() - 1).index();
        long cut = l.compact(applied, 2);
        assertEquals(applied - 2, cut);
        assertEquals(applied, l.snapshotIndex());
        net.isolated.clear();
        net.tickAll(4);
        Message.InstallSnapshot s = net.restored.get("n3");
        assertNotNull(s, "n3 needed compacted entries: it gets the snapshot");
        assertEquals(applied, s.index());
        assertEquals(l.lastIndex(), net.get("n3").lastIndex());
        assertEquals(Progress.State.REPLICATE, l.progress("n3").state());
    }

    @Test
    void followerCommitsOnlyEntriesTheLeaderShowedToMatch() {
        List<ServerInfo> cfg = List.of(server("n1", true), server("n2", true), server("n3", true));
        List<LogEntry> log = new ArrayList<>();
        log.add(new LogEntry(1, 1, EntryKind.CONFIGURATION, ServerConfigurations.encode(cfg)));
        for (int i = 2; i <= 4; i++) {
            log.add(new LogEntry(i, 1, EntryKind.COMMAND, b("stale" + i))); // never committed
        }
        RaftCore f = new RaftCore("n2", OPTS, new SplittableRandom(3), new RaftCore.InitialState(1, null, 0, 0,
                List.of(), 0, 0, log));
        // The new leader of term 2 has committed up to 4 in its own log, which differs after index 1.
        f.step(new Message.AppendEntries("n1", "n2", 2, 1, 1, List.of(), 4, 1));
        assertEquals(1, f.commitIndex(), "only up to the last entry known to match (Figure 2, rule 5)");
        f.step(new Message.AppendEntries("n1", "n2", 2, 1, 1,
                List.of(new LogEntry(2, 2, EntryKind.NOOP, new byte[0])), 4, 2));
        assertEquals(2, f.commitIndex());
        assertEquals(2, f.lastIndex(), "the conflicting suffix is gone");
        Ready r = f.ready();
        assertEquals(2, r.truncateFrom(), "the persisted log is truncated from the first conflict");
        assertEquals(List.of(2L), r.entries().stream().map(LogEntry::index).toList());
        assertEquals(List.of(1L, 2L), r.committed().stream().map(LogEntry::index).toList());
    }

    @Test
    void messagesForAnotherServerAreRefused() {
        Net net = new Net(1);
        long term = net.get("n1").term();
        assertThrows(IllegalArgumentException.class, () -> net.get("n1").step(
                new Message.TimeoutNow("n2", "n7", 5)));
        assertEquals(term, net.get("n1").term(), "the refused message changed nothing");
    }
}
