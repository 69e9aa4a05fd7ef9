package io.tribune.raft.internal.driver;

import io.tribune.api.Clock;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.raft.internal.core.Message;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Raft messages to and from the other servers over the transport SPI: one {@link Link} per peer,
 * whose messages travel as chunks of one long-lived client stream (method
 * {@value #MESSAGE_STREAM_METHOD}) with unary calls (method {@value #METHOD}) as the fallback, and
 * the handlers that take both kinds in. Also knows every peer's address: from configurations and
 * from the sender endpoint of each call received.
 *
 * <p>Threading: {@link #send}, {@link #warm} and {@link #close} run on the loop's executor (the
 * links are confined to it); the handlers run on transport threads and hand messages to
 * {@code inbound}; {@link #learn} and {@link #endpointOf} are thread-safe.
 */
final class PeerLinks {
    static final String METHOD = "raft.msg";
    /** Client stream carrying message batches to one peer, in order (see {@link Link}). */
    static final String MESSAGE_STREAM_METHOD = "raft.messages";
    /** A message stream is replaced by a new one after this long (within the transport's deadline limits). */
    static final Duration STREAM_LIFETIME = Duration.ofMinutes(30);
    /** After a stream fails, batches to that peer go as unary calls for this long (peers without streams, restarts). */
    static final Duration STREAM_RETRY_AFTER = Duration.ofSeconds(5);
    /** Messages queued for one peer beyond this are dropped, as a lossy network would; Raft resends. */
    static final int MAX_QUEUED_MESSAGES = 8192;

    private final String id;
    private final Transport transport;
    private final Duration rpcTimeout;
    private final Clock clock;
    private final Executor executor;
    private final BooleanSupplier running;
    private final Consumer<List<Message>> inbound;
    private final Map<String, Endpoint> addresses = new ConcurrentHashMap<>();
    private final Map<Endpoint, Link> links = new HashMap<>();
    private volatile boolean closed;

    /**
     * @param running  whether Raft runs (calls are refused otherwise)
     * @param inbound  receives each accepted batch, on a transport thread, in arrival order per stream
     */
    PeerLinks(String id, Transport transport, Duration rpcTimeout, Clock clock, Executor executor,
              BooleanSupplier running, Consumer<List<Message>> inbound) {
        this.id = id;
        this.transport = transport;
        this.rpcTimeout = rpcTimeout;
        this.clock = clock;
        this.executor = executor;
        this.running = running;
        this.inbound = inbound;
    }

    /** Registers the unary and stream handlers with the transport. */
    void register() {
        transport.register(METHOD, this::onCall);
        transport.registerStream(MESSAGE_STREAM_METHOD, this::onMessageStream);
    }

    /** Records the addresses of {@code servers}. Thread-safe. */
    void learn(List<ServerInfo> servers) {
        for (ServerInfo s : servers) {
            addresses.put(s.id(), s.endpoint());
        }
    }

    /**
     * Records that {@code serverId} is at {@code endpoint}, the address its messages say they came
     * from. Thread-safe. A wildcard address (a peer bound to {@code 0.0.0.0} or {@code ::}) is not
     * an address anyone can reach it at, and would make this server send to itself: such a sender
     * is ignored and the address of the configuration (the advertised one) is kept.
     */
    void learn(String serverId, Endpoint endpoint) {
        if (!wildcard(endpoint.host())) {
            addresses.put(serverId, endpoint);
        }
    }

    /** Whether {@code host} is the unspecified address of IPv4 or IPv6 (written as a literal). */
    static boolean wildcard(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equals("0.0.0.0") || h.equals("::") || h.matches("(0{1,4}:){7}0{1,4}") || h.equals("::0");
    }

    /** The known address of {@code serverId}, or null. Thread-safe. */
    Endpoint endpointOf(String serverId) {
        return addresses.get(serverId);
    }

    /** Opens the streams to {@code peers} ahead of the first message (see {@link Link#warm}). */
    void warm(List<ServerInfo> peers) {
        for (ServerInfo peer : peers) {
            if (!peer.id().equals(id)) {
                links.computeIfAbsent(peer.endpoint(), Link::new).warm();
            }
        }
    }

    /** Queues {@code messages} (no InstallSnapshot: those are shipped apart) on their peers' links. */
    void send(List<Message> messages) {
        Map<String, List<Message>> byPeer = new LinkedHashMap<>();
        for (Message m : messages) {
            byPeer.computeIfAbsent(m.to(), k -> new ArrayList<>()).add(m);
        }
        for (Map.Entry<String, List<Message>> e : byPeer.entrySet()) {
            Endpoint target = addresses.get(e.getKey());
            if (target == null) {
                continue;
            }
            Link link = links.computeIfAbsent(target, Link::new);
            link.queue.addAll(e.getValue());
            while (link.queue.size() > MAX_QUEUED_MESSAGES) {
                link.queue.poll();
            }
            link.pump();
        }
    }

    /** Stops opening and pumping streams at once; any thread. {@link #close()} follows on the executor. */
    void markClosed() {
        closed = true;
    }

    /** Cancels every stream and drops what is queued. */
    void close() {
        closed = true;
        links.values().forEach(Link::close);
        links.clear();
    }

    /** Up to one batch of {@code queue}'s head: within the transport's message size and the codec's count. */
    private List<Message> nextBatch(ArrayDeque<Message> queue) {
        // May throw (a transport being replaced): before anything is taken from the queue, so the
        // messages wait for the next pump (see Link.pump).
        int budget = Math.max(1024, transport.maxMessageBytes() - 1024);
        List<Message> call = new ArrayList<>();
        int size = 0;
        while (!queue.isEmpty()) {
            int n = WireCodec.sizeOf(queue.peek());
            if (!call.isEmpty() && (size + n > budget || call.size() >= WireCodec.MAX_MESSAGES)) {
                break;
            }
            call.add(queue.poll());
            size += n;
        }
        return call;
    }

    /**
     * The messages to one peer. They travel as chunks of one long-lived client stream, which keeps
     * them in order and costs no per-message call setup (a unary call per batch cost a request and
     * a response with headers each, and could reorder); one chunk is in flight at a time and the
     * messages queued meanwhile go together in the next, so a busy link batches by itself.
     *
     * <p>Failures: a stream that never carried a chunk and fails as UNAVAILABLE or NO_HANDLER (the
     * peer was not listening yet, or its Raft had not started, as when a new cluster starts) is
     * replaced and its chunk sent again once. Otherwise the link sends unary calls for
     * {@link #STREAM_RETRY_AFTER} (which also serves peers without the stream method: their
     * NO_HANDLER chunk goes again as unary calls); other failed chunks are dropped, as a lossy
     * network would, and Raft resends what matters.
     *
     * <p>Stalls: a chunk not acknowledged within the RPC timeout ({@code raft.rpc.timeout}, the
     * deadline of a unary call) is given up on the next send: its stream is cancelled and a new one
     * carries what is queued (the stalled batch is dropped; Raft resends). Without this, a chunk
     * sent into a partition held the link until the connection's own retransmission reached the
     * peer, which after a partition of a few seconds is seconds after the heal (TCP doubles its
     * retransmission timeout), and the leader's heartbeats queued behind it meanwhile (fault
     * simulation seed 3182: a healed follower heard from its leader 2.9 s after the heal).
     * Executor-confined.
     */
    private final class Link {
        final Endpoint target;
        final ArrayDeque<Message> queue = new ArrayDeque<>();
        OutboundStream stream;
        boolean established;
        long openedNanos;
        long unaryUntilNanos;
        boolean sending;
        /** The stream of the chunk in flight, and when it was sent (for the stall limit). */
        OutboundStream sendingOn;
        long sentNanos;

        Link(Endpoint target) {
            this.target = target;
        }

        /**
         * Opens the stream ahead of the first message: a first connection costs its handshake and,
         * in a new process, cold code paths on both sides (measured ~0.4 s per direction while
         * three servers start on two cores); done while the first election timer runs, the first
         * votes travel on a ready connection.
         */
        void warm() {
            if (stream == null && !closed) {
                open(clock.nanos());
            }
        }

        private OutboundStream open(long now) {
            try {
                stream = transport.openStream(target, MESSAGE_STREAM_METHOD, STREAM_LIFETIME.plusMinutes(1));
            } catch (RuntimeException e) {
                stream = null;
                unaryUntilNanos = now + STREAM_RETRY_AFTER.toNanos();
                return null;
            }
            established = false;
            openedNanos = now;
            return stream;
        }

        /**
         * Sends what is queued. Never throws: a transport that fails synchronously (a plugin being
         * replaced live, a bug) loses the batch in hand, as a lossy network would, and the rest
         * waits for the next send; Raft resends what matters. An exception escaping here would
         * escape the ready loop's cycle half done.
         */
        void pump() {
            try {
                pumpQueued();
            } catch (RuntimeException e) {
                // The next send starts on a new stream (a stream that threw may throw again).
                OutboundStream broken = stream;
                stream = null;
                if (broken != null) {
                    try {
                        broken.cancel("raft message stream failed: " + e);
                    } catch (RuntimeException ignored) {
                        // Already unusable; nothing more to release.
                    }
                }
            }
        }

        private void pumpQueued() {
            if (queue.isEmpty() || closed) {
                return;
            }
            long now = clock.nanos();
            if (sending) {
                if (now - sentNanos <= rpcTimeout.toNanos()) {
                    return;
                }
                // Stalled: the queued messages (heartbeats among them) go on a new stream.
                OutboundStream stalled = sendingOn;
                sending = false;
                sendingOn = null;
                if (stream == stalled) {
                    stream = null;
                }
                if (stalled != null) {
                    stalled.cancel("raft message stream stalled: a chunk unacknowledged for over " + rpcTimeout);
                }
            }
            if (now - unaryUntilNanos < 0) {
                while (!queue.isEmpty()) {
                    call(target, nextBatch(queue));
                }
                return;
            }
            if (stream != null && now - openedNanos > STREAM_LIFETIME.toNanos()) {
                stream.finish();
                stream = null;
            }
            OutboundStream s = stream != null ? stream : open(now);
            if (s == null) {
                pumpQueued();
                return;
            }
            List<Message> batch = nextBatch(queue);
            send(s, batch, true);
        }

        private void send(OutboundStream s, List<Message> batch, boolean mayResend) {
            byte[] payload = WireCodec.encode(transport.localEndpoint(), batch);
            sending = true;
            sendingOn = s;
            sentNanos = clock.nanos();
            CompletableFuture<Void> f;
            try {
                f = s.send(payload);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, t) -> executor.execute(() -> {
                if (sendingOn != s) {
                    // A chunk given up as stalled (see pump): its stream is cancelled already.
                    return;
                }
                sending = false;
                sendingOn = null;
                if (t == null) {
                    if (stream == s) {
                        established = true;
                    }
                } else if (!closed) {
                    TransportException.Code code = unwrap(t) instanceof TransportException te ? te.code() : null;
                    boolean wasEstablished = established && stream == s;
                    s.cancel("raft message stream failed: " + t.getMessage());
                    if (stream == s) {
                        stream = null;
                    }
                    boolean unanswered = code == TransportException.Code.UNAVAILABLE
                            || code == TransportException.Code.NO_HANDLER;
                    OutboundStream again = !wasEstablished && unanswered && mayResend
                            ? open(clock.nanos()) : null;
                    if (again != null) {
                        // Not listening yet, or its Raft not started yet: one more try on a new stream.
                        send(again, batch, false);
                        return;
                    }
                    unaryUntilNanos = clock.nanos() + STREAM_RETRY_AFTER.toNanos();
                    if (code == TransportException.Code.NO_HANDLER) {
                        // Nothing was delivered: the batch goes again as unary calls (a peer without streams).
                        queue.addAll(batch);
                    }
                }
                pump();
            }));
        }

        void close() {
            if (stream != null) {
                stream.cancel("raft is closed");
                stream = null;
            }
            queue.clear();
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private void call(Endpoint target, List<Message> messages) {
        byte[] payload = WireCodec.encode(transport.localEndpoint(), messages);
        // Responses are empty: Raft's own answers travel as messages, and lost ones are retried by
        // the protocol (heartbeats, probes), so failures need no handling here.
        transport.call(target, METHOD, payload, rpcTimeout);
    }

    // ------------------------------------------------------------------ inbound

    private CompletableFuture<byte[]> onCall(CallContext ctx, byte[] request) {
        if (!running.getAsBoolean()) {
            return CompletableFuture.failedFuture(new IllegalStateException("raft " + id + " is not running"));
        }
        WireCodec.Envelope env;
        try {
            env = WireCodec.decode(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        for (Message m : env.messages()) {
            if (!m.to().equals(id)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("message for '" + m.to()
                        + "' sent to '" + id + "'"));
            }
            if (m instanceof Message.InstallSnapshot) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "InstallSnapshot must arrive on " + SnapshotShipping.SNAPSHOT_METHOD));
            }
        }
        if (!env.messages().isEmpty()) {
            learn(env.messages().get(0).from(), env.sender());
        }
        inbound.accept(env.messages());
        return CompletableFuture.completedFuture(new byte[0]);
    }

    private StreamHandler.Receiver onMessageStream(CallContext ctx) {
        return new StreamHandler.Receiver() {
            @Override
            public CompletableFuture<Void> onChunk(byte[] chunk) {
                // Same checks and hand-off as a unary batch; a bad batch ends the stream.
                return onCall(ctx, chunk).thenApply(r -> null);
            }

            @Override
            public CompletableFuture<byte[]> onComplete() {
                return CompletableFuture.completedFuture(new byte[0]);
            }

            @Override
            public void onError(Throwable cause) {
                // The sender drops the stream and resends through Raft; nothing to release here.
            }
        };
    }
}
