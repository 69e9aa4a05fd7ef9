package io.tribune.agent.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tribune.agent.rpc.Operator.KeyringVerb;
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
    /** Most failed members named in {@link KeyringResult#failureReport()}. */
    static final int MAX_REPORTED_FAILURES = 16;
    /** Slack over the call deadline after which a member is counted as failed even if the transport never answers. */
    static final Duration GUARD_MARGIN = Duration.ofSeconds(1);

    /** Longest gossip key accepted in a request or reply, in characters (a base64 key of 32 bytes takes 44). */
    static final int MAX_KEY_CHARS = 256;
    /** Most keys in one member's answer (gossip-swim holds at most 16). */
    static final int MAX_KEYS = 256;
    /** Longest refusal message kept, in characters. */
    static final int MAX_MESSAGE_CHARS = 4096;

    /**
     * A keyring operation for one member.
     *
     * @param verb the operation
     * @param key  the base64 key; empty for {@link KeyringVerb#LIST}, non-empty otherwise
     */
    public record KeyringRequest(KeyringVerb verb, String key) {
        public KeyringRequest {
            Objects.requireNonNull(verb, "verb");
            Objects.requireNonNull(key, "key");
            if ((verb == KeyringVerb.LIST) != key.isEmpty()) {
                throw new IllegalArgumentException(verb == KeyringVerb.LIST ? "a keyring listing takes no key"
                        : "keyring operation " + verb + " needs a key");
            }
            if (key.length() > MAX_KEY_CHARS) {
                throw new IllegalArgumentException("keyring key longer than " + MAX_KEY_CHARS + " characters");
            }
        }
    }

    /** A member's answer to a {@link KeyringRequest}. */
    public sealed interface KeyringReply {
        /** The operation succeeded; {@code keys} are the member's keys afterwards, primary first (never empty). */
        record Keys(List<String> keys) implements KeyringReply {
            public Keys {
                keys = List.copyOf(keys);
                if (keys.isEmpty()) {
                    throw new IllegalArgumentException("a keyring holds at least its primary key");
                }
            }
        }

        /** The member refused the operation (no keyring, key not installed, the primary removed, bad key). */
        record Refused(String message) implements KeyringReply {
            public Refused {
                Objects.requireNonNull(message, "message");
            }
        }
    }

    /** The request in the agents' RPC schema ({@code tribune.agent.rpc.v1.KeyringRequest}). */
    static byte[] encode(KeyringRequest r) {
        return io.tribune.agent.rpc.wire.KeyringRequest.newBuilder()
                .setVerb(io.tribune.agent.rpc.wire.KeyringRequest.Verb.forNumber(r.verb().ordinal()))
                .setKey(r.key()).build().toByteArray();
    }

    /** Reads a request. @throws IllegalArgumentException when malformed */
    static KeyringRequest decodeRequest(byte[] bytes) {
        try {
            var m = io.tribune.agent.rpc.wire.KeyringRequest.parseFrom(bytes);
            if (m.getVerbValue() < 0 || m.getVerbValue() >= KeyringVerb.values().length) {
                throw new IllegalArgumentException("unknown keyring operation " + m.getVerbValue());
            }
            return new KeyringRequest(KeyringVerb.values()[m.getVerbValue()], m.getKey());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed keyring request: " + e.getMessage(), e);
        }
    }

    /** The reply in the agents' RPC schema; a refusal's message is shortened to a few KiB. */
    static byte[] encode(KeyringReply r) {
        var b = io.tribune.agent.rpc.wire.KeyringReply.newBuilder();
        if (r instanceof KeyringReply.Keys k) {
            b.addAllKeys(k.keys().subList(0, Math.min(MAX_KEYS, k.keys().size())));
        } else {
            String m = ((KeyringReply.Refused) r).message();
            b.setRefused(true).setMessage(m.length() > MAX_MESSAGE_CHARS ? m.substring(0, MAX_MESSAGE_CHARS) + "..." : m);
        }
        return b.build().toByteArray();
    }

    /** Reads a reply. @throws IllegalArgumentException when malformed */
    static KeyringReply decodeReply(byte[] bytes) {
        io.tribune.agent.rpc.wire.KeyringReply m;
        try {
            m = io.tribune.agent.rpc.wire.KeyringReply.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed keyring reply: " + e.getMessage(), e);
        }
        if (m.getRefused()) {
            return new KeyringReply.Refused(m.getMessage());
        }
        if (m.getKeysCount() > MAX_KEYS) {
            throw new IllegalArgumentException("keyring reply with " + m.getKeysCount() + " keys (max " + MAX_KEYS + ")");
        }
        for (String k : m.getKeysList()) {
            if (k.length() > MAX_KEY_CHARS) {
                throw new IllegalArgumentException("keyring reply with a key longer than " + MAX_KEY_CHARS);
            }
        }
        return new KeyringReply.Keys(m.getKeysList());
    }

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
            r = decodeRequest(request);
        } catch (IllegalArgumentException e) {
            return encode(new KeyringReply.Refused("bad keyring request: " + e.getMessage()));
        }
        return encode(applyLocally(r));
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
            switch (r.verb()) {
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
    public KeyringResult onThisAgent(KeyringRequest r) {
        return KeyringResult.of(List.of(MemberResult.of(membership.localMember().name(), applyLocally(r))), false);
    }

    /**
     * Performs {@code r} on every alive member of the LAN pool, this agent included, and completes
     * once every member answered or timed out; a {@code use} or {@code remove} first checks every
     * member's keys (see the class comment). Never completes exceptionally.
     */
    public CompletableFuture<KeyringResult> onEveryMember(KeyringRequest r) {
        if (r.verb() != KeyringVerb.USE && r.verb() != KeyringVerb.REMOVE) {
            return fanOut(r).thenApply(results -> KeyringResult.of(results, false));
        }
        return fanOut(new KeyringRequest(KeyringVerb.LIST, "")).thenCompose(listed -> {
            List<MemberResult> checked = new ArrayList<>(listed.size());
            boolean blocked = false;
            for (MemberResult m : listed) {
                String why = m.outcome() == MemberResult.Outcome.OK ? obstacle(r, m.keys()) : null;
                blocked |= m.outcome() != MemberResult.Outcome.OK || why != null;
                checked.add(why == null ? m : new MemberResult(m.node(), MemberResult.Outcome.REFUSED, List.of(), why));
            }
            if (blocked) {
                return CompletableFuture.completedFuture(KeyringResult.of(checked, true));
            }
            return fanOut(r).thenApply(results -> KeyringResult.of(results, false));
        });
    }

    /** Why a member holding {@code keys} (primary first) stands in the way of {@code r}, or null. */
    static String obstacle(KeyringRequest r, List<String> keys) {
        if (r.verb() == KeyringVerb.USE && !keys.contains(r.key())) {
            return "does not hold the key: install it there first";
        }
        if (r.verb() == KeyringVerb.REMOVE && keys.get(0).equals(r.key())) {
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
        byte[] payload = encode(r);
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
                result.complete(MemberResult.of(m.name(), decodeReply(bytes)));
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
}
