package io.tribune.agent.rpc;

import io.tribune.agent.cluster.ServerTags;
import io.tribune.agent.rpc.RpcCodec.KeyringOp;
import io.tribune.agent.rpc.RpcCodec.KeyringReply;
import io.tribune.agent.rpc.RpcCodec.KeyringRequest;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Gossip keyring operations on every member of the LAN pool, as Consul's {@code consul keyring}
 * reaches every member with a gossip query: the agent that takes the request sends one
 * {@value #METHOD} call to each alive member (itself included, served in-process) over the
 * agent's transport, in parallel and with a deadline, and adds the answers up per pool:
 * {@code Keys} (key → number of members holding it), {@code PrimaryKeys} (key → number of members
 * encrypting with it), {@code NumNodes}, and the members that failed with their reasons. A member
 * that does not answer in time, cannot be reached, or answers garbage counts as failed.
 *
 * <p><b>Who is asked.</b> Every member of {@link Membership#members()} that is {@code ALIVE} or
 * {@code SUSPECT} (a suspect member is still in the pool until declared failed; if it does not
 * answer it is reported), at the address gossip knows it by and the RPC port of its
 * {@link ServerTags#PORT} tag, which every agent, client or server, advertises. Failed and left
 * members are not asked and not counted. Out of scope: Consul's WAN pool (servers of every
 * datacenter) and {@code ?relay-factor} (answers relayed through other members); every answer
 * comes straight back over the transport.
 *
 * <p><b>Rotation.</b> Each operation completes only when every member answered or its deadline
 * passed, so the operator's sequence {@code install} new key everywhere, {@code use} it everywhere,
 * {@code remove} the old one keeps gossip flowing: a step starts only after the previous one
 * reached every member, and a failure names the members to fix before going on. A member refuses
 * a {@code use} of a key it does not hold and a {@code remove} of its primary key (the
 * {@link Keyring} contract). Because a {@code use} applied on some members only would leave the
 * others unable to read their gossip, and a {@code remove} of a key still primary somewhere would
 * leave that member unheard, both first list every member's keys and go ahead only when every
 * member answered and holds the key ({@code use}) or none encrypts with it ({@code remove});
 * otherwise nothing changes anywhere and the answer names the members in the way. Removing a key
 * a member does not hold succeeds there (nothing to do), and installing or using a key twice is a
 * no-op, so every operation can be repeated after a partial failure.
 *
 * <p><b>Security.</b> The handler changes the gossip key ring, so it is served on the same
 * transport and port as request forwarding and is protected by the same TLS settings
 * ({@code verify_incoming} makes a caller without a certificate of the cluster's CA be refused
 * before the handler runs). Without TLS anyone who can reach the RPC port can change the keyring,
 * as anyone can forward writes.
 *
 * <p><b>Bounds.</b> Requests and answers use {@link RpcCodec}'s bounded keyring encoding; a
 * malformed request is answered with a refusal and changes nothing. At most
 * {@link #MAX_IN_FLIGHT} calls are outstanding at once, and a failure report names at most
 * {@link #MAX_REPORTED_FAILURES} members.
 *
 * <p><b>Threading.</b> Thread-safe; nothing blocks. Results complete on transport or platform
 * threads.
 */
public final class ClusterKeyring {
    /** RPC method: one keyring operation on the receiving agent's LAN keyring. */
    public static final String METHOD = "tribune.rpc.keyring";
    /** Most keyring calls outstanding at once for one operation. */
    static final int MAX_IN_FLIGHT = 32;
    /** Most failed members named in {@link PoolResult#failureReport()}. */
    static final int MAX_REPORTED_FAILURES = 16;
    /** Slack over the call deadline after which a member is counted as failed even if the transport never answers. */
    static final Duration GUARD_MARGIN = Duration.ofSeconds(1);

    private final Membership membership;
    private final Transport transport;
    private final Duration timeout;
    private final Scheduler scheduler;

    /**
     * The keyring operations of one agent.
     *
     * @param membership the LAN pool, whose {@link Membership#keyring()} is this agent's keyring
     * @param transport  the agent's started RPC transport; the handler is registered by {@link #start()}
     * @param timeout    the deadline of each member's call (positive; the agent uses its {@code rpc_hold_timeout})
     * @param scheduler  the platform scheduler, for the guard against a transport that never answers
     */
    public ClusterKeyring(Membership membership, Transport transport, Duration timeout, Scheduler scheduler) {
        this.membership = Objects.requireNonNull(membership, "membership");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("keyring call timeout must be positive, got " + timeout);
        }
    }

    /** Registers the {@value #METHOD} handler on the transport. Call once. */
    public void start() {
        transport.register(METHOD, (ctx, request) -> CompletableFuture.completedFuture(serve(request)));
    }

    /** The deadline of each member's call. */
    public Duration timeout() {
        return timeout;
    }

    /** Serves one encoded request; a malformed one gets a refusal and changes nothing. */
    byte[] serve(byte[] request) {
        KeyringRequest r;
        try {
            r = RpcCodec.decodeKeyringRequest(request);
        } catch (IllegalArgumentException e) {
            return RpcCodec.encodeKeyringReply(new KeyringReply.Refused("bad keyring request: " + e.getMessage()));
        }
        return RpcCodec.encodeKeyringReply(applyLocally(r));
    }

    /**
     * Performs {@code r} on this agent's keyring only. Never throws: a missing keyring or an
     * operation the keyring refuses is a {@link KeyringReply.Refused}.
     */
    public KeyringReply applyLocally(KeyringRequest r) {
        Optional<Keyring> k = membership.keyring();
        if (k.isEmpty()) {
            return new KeyringReply.Refused(
                    "gossip encryption is not enabled on this agent (its membership has no keyring)");
        }
        Keyring keyring = k.get();
        try {
            switch (r.op()) {
                case INSTALL -> keyring.install(r.key());
                case USE -> keyring.use(r.key());
                case REMOVE -> {
                    // Already gone is the goal reached: a remove repeated after a partial failure succeeds.
                    if (keyring.keys().contains(r.key())) {
                        keyring.remove(r.key());
                    }
                }
                case LIST -> {
                }
            }
            return new KeyringReply.Keys(keyring.keys());
        } catch (IllegalArgumentException e) {
            return new KeyringReply.Refused(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** {@code r} on this agent only, shaped as a pool of one (Consul's {@code ?local-only}). */
    public PoolResult onThisAgent(KeyringRequest r) {
        return PoolResult.of(List.of(MemberResult.of(membership.localMember().name(), applyLocally(r))), false);
    }

    /**
     * Performs {@code r} on every alive member of the LAN pool, this agent included, and completes
     * once every member answered or timed out; a {@code use} or {@code remove} first checks every
     * member's keys (see the class comment). Never completes exceptionally.
     */
    public CompletableFuture<PoolResult> onEveryMember(KeyringRequest r) {
        if (r.op() != KeyringOp.USE && r.op() != KeyringOp.REMOVE) {
            return fanOut(r).thenApply(results -> PoolResult.of(results, false));
        }
        return fanOut(new KeyringRequest(KeyringOp.LIST, "")).thenCompose(listed -> {
            List<MemberResult> checked = new ArrayList<>(listed.size());
            boolean blocked = false;
            for (MemberResult m : listed) {
                String why = m.outcome() == MemberResult.Outcome.OK ? obstacle(r, m.keys()) : null;
                blocked |= m.outcome() != MemberResult.Outcome.OK || why != null;
                checked.add(why == null ? m : new MemberResult(m.node(), MemberResult.Outcome.REFUSED, List.of(), why));
            }
            if (blocked) {
                return CompletableFuture.completedFuture(PoolResult.of(checked, true));
            }
            return fanOut(r).thenApply(results -> PoolResult.of(results, false));
        });
    }

    /** Why a member holding {@code keys} (primary first) stands in the way of {@code r}, or null. */
    static String obstacle(KeyringRequest r, List<String> keys) {
        if (r.op() == KeyringOp.USE && !keys.contains(r.key())) {
            return "does not hold the key: install it there first";
        }
        if (r.op() == KeyringOp.REMOVE && keys.get(0).equals(r.key())) {
            return "encrypts with the key (its primary): use another key there first";
        }
        return null;
    }

    /** Sends {@code r} to every alive member; completes (never exceptionally) with one result per member, by name. */
    private CompletableFuture<List<MemberResult>> fanOut(KeyringRequest r) {
        String self = membership.localMember().name();
        // Sorted by name: the order of calls and of the report does not depend on the plugin's list order.
        TreeMap<String, Member> byName = new TreeMap<>();
        for (Member m : membership.members()) {
            if (m.status() == MemberStatus.ALIVE || m.status() == MemberStatus.SUSPECT || m.name().equals(self)) {
                byName.put(m.name(), m);
            }
        }
        List<Member> targets = new ArrayList<>(byName.values());
        CompletableFuture<List<MemberResult>> out = new CompletableFuture<>();
        if (targets.isEmpty()) {
            out.complete(List.of());
            return out;
        }
        byte[] payload = RpcCodec.encodeKeyringRequest(r);
        AtomicReferenceArray<MemberResult> results = new AtomicReferenceArray<>(targets.size());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Runnable[] launch = new Runnable[1];
        launch[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= targets.size()) {
                return;
            }
            Member m = targets.get(i);
            CompletableFuture<MemberResult> f = m.name().equals(self)
                    ? CompletableFuture.completedFuture(MemberResult.of(self, applyLocally(r)))
                    : ask(m, payload);
            // Continue on the platform's threads: a member that completes at once (this agent, a
            // member without a port tag) must not start the next call from inside this one's stack.
            f.whenCompleteAsync((res, t) -> {
                results.set(i, res != null ? res : MemberResult.noAnswer(m.name(), describe(t)));
                if (done.incrementAndGet() == targets.size()) {
                    List<MemberResult> all = new ArrayList<>(targets.size());
                    for (int j = 0; j < targets.size(); j++) {
                        all.add(results.get(j));
                    }
                    out.complete(all);
                } else {
                    launch[0].run();
                }
            }, scheduler);
        };
        for (int k = 0; k < Math.min(MAX_IN_FLIGHT, targets.size()); k++) {
            launch[0].run();
        }
        return out;
    }

    /** Calls one remote member; completes (never exceptionally) with its result. */
    private CompletableFuture<MemberResult> ask(Member m, byte[] payload) {
        Optional<Integer> port = ServerTags.port(m);
        if (port.isEmpty()) {
            return CompletableFuture.completedFuture(MemberResult.noAnswer(m.name(),
                    "advertises no RPC port (gossip tag '" + ServerTags.PORT + "')"));
        }
        CompletableFuture<MemberResult> result = new CompletableFuture<>();
        // The transport promises a deadline; the guard keeps one misbehaving plugin from holding the answer forever.
        Cancellable guard = scheduler.schedule(timeout.plus(GUARD_MARGIN), () -> result.complete(
                MemberResult.noAnswer(m.name(), "no answer within " + timeout.toMillis() + " ms")));
        CompletableFuture<byte[]> call;
        try {
            call = transport.call(new Endpoint(m.host(), port.get()), METHOD, payload, timeout);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((bytes, t) -> {
            guard.cancel();
            if (t != null) {
                result.complete(MemberResult.noAnswer(m.name(), describe(t)));
                return;
            }
            try {
                result.complete(MemberResult.of(m.name(), RpcCodec.decodeKeyringReply(bytes)));
            } catch (IllegalArgumentException e) {
                result.complete(MemberResult.noAnswer(m.name(), "unreadable answer: " + e.getMessage()));
            }
        });
        return result;
    }

    private static String describe(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c == null ? "no answer" : c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /**
     * What one member answered.
     *
     * @param node    the member's name
     * @param outcome whether it succeeded, refused, or did not answer
     * @param keys    its keys after the operation, primary first (empty unless {@link Outcome#OK})
     * @param message why it failed (empty when {@link Outcome#OK})
     */
    public record MemberResult(String node, Outcome outcome, List<String> keys, String message) {
        /** How a member's call ended. */
        public enum Outcome {
            /** The operation succeeded on the member. */
            OK,
            /** The member answered and refused; its keyring is unchanged. */
            REFUSED,
            /** No usable answer (unreachable, deadline, garbage): the outcome on the member is unknown. */
            NO_ANSWER
        }

        public MemberResult {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(outcome, "outcome");
            keys = List.copyOf(keys);
            Objects.requireNonNull(message, "message");
        }

        /** The result of a member's reply. */
        public static MemberResult of(String node, KeyringReply reply) {
            if (reply instanceof KeyringReply.Keys k) {
                return new MemberResult(node, Outcome.OK, k.keys(), "");
            }
            return new MemberResult(node, Outcome.REFUSED, List.of(), ((KeyringReply.Refused) reply).message());
        }

        /** A member that gave no usable answer. */
        public static MemberResult noAnswer(String node, String why) {
            return new MemberResult(node, Outcome.NO_ANSWER, List.of(), why);
        }
    }

    /**
     * One operation's results over a pool, added up as Consul reports them.
     *
     * @param numNodes    members asked
     * @param keys        key → members that hold it (among those that answered), sorted by key
     * @param primaryKeys key → members that encrypt with it, sorted by key
     * @param messages    member → why it failed, sorted by member name
     * @param refused     members that answered with a refusal (or stood in the way of the check)
     * @param noAnswer    members that gave no usable answer
     * @param checkOnly   whether the operation was never sent because the check before it failed:
     *                    then no keyring changed, and the other fields describe the check
     */
    public record PoolResult(int numNodes, SortedMap<String, Integer> keys, SortedMap<String, Integer> primaryKeys,
                             SortedMap<String, String> messages, int refused, int noAnswer, boolean checkOnly) {
        public PoolResult {
            keys = Collections.unmodifiableSortedMap(new TreeMap<>(keys));
            primaryKeys = Collections.unmodifiableSortedMap(new TreeMap<>(primaryKeys));
            messages = Collections.unmodifiableSortedMap(new TreeMap<>(messages));
        }

        /** Adds up the answers of the members asked; {@code checkOnly} as in the record. */
        public static PoolResult of(List<MemberResult> results, boolean checkOnly) {
            TreeMap<String, Integer> keys = new TreeMap<>();
            TreeMap<String, Integer> primaries = new TreeMap<>();
            TreeMap<String, String> messages = new TreeMap<>();
            int refused = 0;
            int noAnswer = 0;
            for (MemberResult r : results) {
                switch (r.outcome()) {
                    case OK -> {
                        // A key listed twice by one member still counts that member once.
                        for (String k : new java.util.LinkedHashSet<>(r.keys())) {
                            keys.merge(k, 1, Integer::sum);
                        }
                        primaries.merge(r.keys().get(0), 1, Integer::sum);
                    }
                    case REFUSED -> {
                        refused++;
                        messages.put(r.node(), r.message());
                    }
                    case NO_ANSWER -> {
                        noAnswer++;
                        messages.put(r.node(), r.message());
                    }
                }
            }
            return new PoolResult(results.size(), keys, primaries, messages, refused, noAnswer, checkOnly);
        }

        /** Members that failed, refusals and missing answers together. */
        public int numErr() {
            return refused + noAnswer;
        }

        /** Whether every member asked succeeded. */
        public boolean ok() {
            return numErr() == 0;
        }

        /**
         * Whether the operation failed because of what the members hold, every member answered and
         * no keyring changed anywhere: the check before it failed, or every member refused. The
         * request itself is then wrong for the pool as it is (HTTP 400); a failure that is not
         * this may have changed some members (HTTP 500).
         */
        public boolean refusedUnchanged() {
            return !ok() && noAnswer == 0 && (checkOnly || refused == numNodes);
        }

        /** Consul's summary, {@code "N/M nodes reported failure"}; empty when all succeeded. */
        public Optional<String> error() {
            return ok() ? Optional.empty() : Optional.of(numErr() + "/" + numNodes + " nodes reported failure");
        }

        /**
         * The summary (with {@code "(nothing was changed)"} after a failed check) followed by one
         * line per failed member ({@code "  node: reason"}), at most {@link #MAX_REPORTED_FAILURES}
         * of them; empty when all succeeded.
         */
        public String failureReport() {
            if (ok()) {
                return "";
            }
            StringBuilder sb = new StringBuilder(error().orElseThrow());
            if (checkOnly) {
                sb.append(" (nothing was changed)");
            }
            int n = 0;
            for (Map.Entry<String, String> e : messages.entrySet()) {
                if (n++ == MAX_REPORTED_FAILURES) {
                    sb.append("\n  ... and ").append(messages.size() - MAX_REPORTED_FAILURES).append(" more");
                    break;
                }
                sb.append("\n  ").append(e.getKey()).append(": ").append(e.getValue());
            }
            return sb.toString();
        }
    }
}
