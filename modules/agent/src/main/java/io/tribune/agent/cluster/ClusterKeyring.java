package io.tribune.agent.cluster;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tribune.agent.rpc.Operator.KeyringVerb;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.Subscription;
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.QueryResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Gossip keyring operations on every member of the LAN pool, as Consul's {@code consul keyring}
 * reaches every member with a Serf query: the agent that takes the request sends one
 * {@value #QUERY} query through its membership's {@link MemberQueries} (so no member needs an RPC
 * port: client agents listen on none), every member's handler applies the operation to its own
 * {@link Keyring} and answers straight to the querying agent, which adds the answers up per pool:
 * {@code Keys} (key → number of members holding it), {@code PrimaryKeys} (key → number of members
 * encrypting with it), {@code NumNodes}, and the members that failed with their reasons. A member
 * that does not answer within the timeout, or whose handler failed, counts as failed.
 *
 * <p><b>Who is asked.</b> Whom the membership asks: every member alive or suspect in its view when
 * the query is sent, this agent included (a suspect member that does not answer is reported).
 * Failed and left members are neither asked nor counted. Out of scope: Consul's WAN pool and
 * {@code ?relay-factor}.
 *
 * <p><b>Rotation.</b> Each operation completes only when every member answered or the timeout
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
 * <p><b>Security.</b> The handler changes the gossip key ring. With gossip encryption on (the only
 * case where there is a keyring to change), a query reaches a member only when it is encrypted with
 * a key of that member's ring, so only a holder of a pool key can send one, as with Consul's Serf
 * queries; without encryption every member refuses, having no keyring.
 *
 * <p><b>Bounds.</b> Requests and answers use the agents' protobuf schema
 * ({@code KeyringRequest}/{@code KeyringReply}) within the membership's {@link
 * io.tribune.api.membership.QueryLimits}: a refusal's message is cut to {@link #MAX_MESSAGE_CHARS},
 * a malformed request is answered with a refusal and changes nothing, and a failure report names
 * at most {@link #MAX_REPORTED_FAILURES} members.
 *
 * <p><b>Without queries.</b> A membership plugin without {@link Membership#queries()} can only
 * change this agent's keyring ({@link #onThisAgent}); an operation on every member then reports
 * every other member as not reached, naming the reason.
 *
 * <p><b>Threading.</b> Thread-safe; nothing blocks. Results complete on membership or platform
 * threads.
 */
public final class ClusterKeyring implements AutoCloseable {
    /** Query name: one keyring operation on the receiving agent's LAN keyring. */
    public static final String QUERY = "tribune-keyring";
    /** Most failed members named in {@link KeyringResult#failureReport()}. */
    static final int MAX_REPORTED_FAILURES = 16;
    /** Slack over the query timeout after which the operation ends even if the membership never completes it. */
    static final Duration GUARD_MARGIN = Duration.ofSeconds(1);

    /** Longest gossip key accepted in a request or reply, in characters (a base64 key of 32 bytes takes 44). */
    static final int MAX_KEY_CHARS = 256;
    /** Most keys in one member's answer (gossip-swim holds at most 16). */
    static final int MAX_KEYS = 256;
    /**
     * Longest refusal message kept, in characters: with three UTF-8 bytes a character at most, it
     * fits the 1 KiB answer of {@link io.tribune.api.membership.QueryLimits#DEFAULT}.
     */
    static final int MAX_MESSAGE_CHARS = 300;

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
            b.setRefused(true).setMessage(m.length() > MAX_MESSAGE_CHARS
                    ? m.substring(0, MAX_MESSAGE_CHARS - 3) + "..." : m);
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
    private final Duration timeout;
    private final Scheduler scheduler;
    private Subscription handler;

    /**
     * The keyring operations of one agent.
     *
     * @param membership the LAN pool: {@link Membership#keyring()} is this agent's keyring and
     *                   {@link Membership#queries()} reaches the others
     * @param timeout    how long an operation waits for the members' answers (positive; the agent
     *                   uses its {@code rpc_hold_timeout}); cut to the membership's longest query
     * @param scheduler  the platform scheduler, for the guard against a membership that never completes
     */
    public ClusterKeyring(Membership membership, Duration timeout, Scheduler scheduler) {
        this.membership = Objects.requireNonNull(membership, "membership");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("keyring timeout must be positive, got " + timeout);
        }
        Duration max = membership.queries().map(q -> q.limits().maxTimeout()).orElse(timeout);
        this.timeout = timeout.compareTo(max) > 0 ? max : timeout;
    }

    /**
     * Registers the {@value #QUERY} handler with the membership's queries (before the membership
     * starts, so that no query is missed). Call once; without queries there is nothing to register.
     */
    public synchronized void start() {
        membership.queries().ifPresent(q -> handler = q.handle(QUERY,
                query -> CompletableFuture.completedFuture(serve(query.payload()))));
    }

    /** Unregisters the handler. Idempotent. */
    @Override
    public synchronized void close() {
        if (handler != null) {
            handler.close();
            handler = null;
        }
    }

    /** How long an operation waits for the members' answers. */
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
     * once every member answered or the timeout passed; a {@code use} or {@code remove} first checks
     * every member's keys (see the class comment). Never completes exceptionally.
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

    /**
     * Queries every alive member with {@code r}; completes (never exceptionally) with one result per
     * asked member, in name order.
     */
    private CompletableFuture<List<MemberResult>> fanOut(KeyringRequest r) {
        Optional<MemberQueries> queries = membership.queries();
        if (queries.isEmpty()) {
            return CompletableFuture.completedFuture(withoutQueries(r));
        }
        CompletableFuture<List<MemberResult>> out = new CompletableFuture<>();
        // The membership promises completion at the timeout; the guard keeps one misbehaving plugin
        // from holding the operator's request forever.
        Cancellable guard = scheduler.schedule(timeout.plus(GUARD_MARGIN), () -> out.complete(List.of(
                MemberResult.noAnswer(membership.localMember().name(), "the membership never completed the query"))));
        CompletableFuture<QueryResult> q;
        try {
            q = queries.get().query(QUERY, encode(r), timeout);
        } catch (RuntimeException e) {
            q = CompletableFuture.failedFuture(e);
        }
        q.whenComplete((result, t) -> {
            guard.cancel();
            if (t != null) {
                out.complete(List.of(MemberResult.noAnswer(membership.localMember().name(),
                        "the query could not be sent: " + describe(t))));
                return;
            }
            List<MemberResult> all = new ArrayList<>(result.asked());
            result.answers().values().forEach(a -> all.add(resultOf(a)));
            out.complete(all);
        });
        return out;
    }

    /** One member's answer to the query as a result. */
    private MemberResult resultOf(MemberAnswer a) {
        return switch (a.outcome()) {
            case ANSWERED -> {
                try {
                    yield MemberResult.of(a.member(), decodeReply(a.answer()));
                } catch (IllegalArgumentException e) {
                    yield MemberResult.noAnswer(a.member(), "unreadable answer: " + e.getMessage());
                }
            }
            // Its handler failed or it has none (an agent of another version): what happened there is unknown.
            case FAILED -> MemberResult.noAnswer(a.member(), "failed: " + a.failure());
            case NO_ANSWER -> MemberResult.noAnswer(a.member(), "no answer within " + timeout.toMillis() + " ms");
        };
    }

    /** Without queries: this agent's own answer, and every other live member as not reached. */
    private List<MemberResult> withoutQueries(KeyringRequest r) {
        String self = membership.localMember().name();
        TreeMap<String, MemberResult> byName = new TreeMap<>();
        byName.put(self, MemberResult.of(self, applyLocally(r)));
        membership.members().stream()
                .filter(m -> m.status() == MemberStatus.ALIVE || m.status() == MemberStatus.SUSPECT)
                .filter(m -> !m.name().equals(self))
                .forEach(m -> byName.put(m.name(), MemberResult.noAnswer(m.name(),
                        "not reached: the membership plugin answers no queries")));
        return new ArrayList<>(byName.values());
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
