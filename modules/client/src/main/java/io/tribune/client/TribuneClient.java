package io.tribune.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.tribune.api.grpc.v1.Consistency;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A client of a Tribune agent's native gRPC API (port 8502 by default).
 *
 * <pre>{@code
 * try (TribuneClient client = TribuneClient.builder().target("127.0.0.1:8502").build()) {
 *     client.kv().put("config/db", "primary".getBytes(UTF_8));
 *     Optional<KvEntry> e = client.kv().get("config/db");
 *     try (Watch<KvWatchEvent> w = client.kv().watch("config/db")) {
 *         KvWatchEvent current = w.take();   // the current value, then one per change
 *     }
 * }
 * }</pre>
 *
 * <p>Each area ({@link #kv()}, {@link #catalog()}, {@link #health()}, {@link #sessions()},
 * {@link #events()}, {@link #agent()}, {@link #agentLocal()}, {@link #status()}) offers blocking calls, {@code ...Async}
 * calls returning {@link java.util.concurrent.CompletableFuture}s, and, where the API has them,
 * watches as a {@link Watch} stream or a {@link WatchListener}. Failures are
 * {@link TribuneException}s carrying the gRPC code and the server's reason. Every unary call gets
 * the builder's deadline; watches have none.
 *
 * <p>Thread-safe; one client (one HTTP/2 connection) serves a whole program.
 */
public final class TribuneClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final boolean ownsChannel;
    private final Kv kv;
    private final Catalog catalog;
    private final Health health;
    private final Sessions sessions;
    private final Events events;
    private final AgentInfo agent;
    private final AgentLocal agentLocal;
    private final ClusterStatus status;

    private TribuneClient(ManagedChannel channel, boolean ownsChannel, Duration deadline, Consistency consistency,
                          String token) {
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        Calls calls = new Calls(channel, deadline, consistency, token);
        this.kv = new Kv(calls);
        this.catalog = new Catalog(calls);
        this.health = new Health(calls);
        this.sessions = new Sessions(calls);
        this.events = new Events(calls);
        this.agent = new AgentInfo(calls);
        this.agentLocal = new AgentLocal(calls);
        this.status = new ClusterStatus(calls);
    }

    /** A builder; {@link Builder#target(String)} is required unless a channel is given. */
    public static Builder builder() {
        return new Builder();
    }

    /** KV reads, writes, transactions and watches. */
    public Kv kv() {
        return kv;
    }

    /** Catalog registration and reads. */
    public Catalog catalog() {
        return catalog;
    }

    /** Service and check health, and health watches. */
    public Health health() {
        return health;
    }

    /** Sessions. */
    public Sessions sessions() {
        return sessions;
    }

    /** User events. */
    public Events events() {
        return events;
    }

    /** The answering agent. */
    public AgentInfo agent() {
        return agent;
    }

    /** The answering agent's own services and checks, with TTL updates. */
    public AgentLocal agentLocal() {
        return agentLocal;
    }

    /** The consensus leader and peers. */
    public ClusterStatus status() {
        return status;
    }

    /** Shuts the channel down (unless it was given by the caller) and waits up to 5 s for it. */
    @Override
    public void close() {
        if (!ownsChannel) {
            return;
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Options of a {@link TribuneClient}. */
    public static final class Builder {
        private String target;
        private ManagedChannel channel;
        private Duration deadline = Duration.ofSeconds(10);
        private Consistency consistency = Consistency.CONSISTENCY_DEFAULT;
        private ChannelCredentials credentials = InsecureChannelCredentials.create();
        private int maxInboundMessageBytes = 4 * 1024 * 1024;
        private String token = "";

        private Builder() {
        }

        /**
         * The ACL token (a SecretID) sent with every call, as the {@code x-consul-token} metadata the
         * agent reads like Consul's HTTP header; default none (the agent's default token applies).
         *
         * @throws IllegalArgumentException when it is longer than 512 bytes or holds characters
         *                                  metadata cannot carry
         */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            if (token.length() > 512 || !token.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("a token is at most 512 printable ASCII characters");
            }
            this.token = token;
            return this;
        }

        /** The agent's address, {@code host:port} (e.g. {@code 127.0.0.1:8502}) or any gRPC target URI. */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * Uses an existing channel (e.g. an in-process one) instead of building one; the client
         * does not shut it down. Target and TLS options are then ignored.
         */
        public Builder channel(ManagedChannel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /** The deadline of every unary call, counted from its start; default 10 s. */
        public Builder deadline(Duration deadline) {
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + deadline);
            }
            this.deadline = deadline;
            return this;
        }

        /** The read consistency of reads that do not name one; default {@code DEFAULT}. */
        public Builder consistency(Consistency consistency) {
            if (consistency == Consistency.UNRECOGNIZED) {
                throw new IllegalArgumentException("unrecognized consistency");
            }
            this.consistency = Objects.requireNonNull(consistency, "consistency");
            return this;
        }

        /** Plain-text HTTP/2 (the default). */
        public Builder plaintext() {
            this.credentials = InsecureChannelCredentials.create();
            return this;
        }

        /** TLS, trusting the PEM certificates in {@code trustCertificates} (e.g. the agent's CA). */
        public Builder tls(File trustCertificates) {
            try {
                this.credentials = TlsChannelCredentials.newBuilder().trustManager(trustCertificates).build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + trustCertificates, e);
            }
            return this;
        }

        /** Mutual TLS: trusts {@code trustCertificates} and presents {@code certChain} with {@code privateKey} (PEM). */
        public Builder tls(File trustCertificates, File certChain, File privateKey) {
            try {
                this.credentials = TlsChannelCredentials.newBuilder().trustManager(trustCertificates)
                        .keyManager(certChain, privateKey).build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read TLS files", e);
            }
            return this;
        }

        /** Any gRPC channel credentials (e.g. TLS built in memory). */
        public Builder credentials(ChannelCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Largest message the client accepts (watch messages of big prefixes); default 4 MiB. */
        public Builder maxInboundMessageBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxInboundMessageBytes must be positive, was " + bytes);
            }
            this.maxInboundMessageBytes = bytes;
            return this;
        }

        /** Builds the client; the connection is made lazily on the first call. */
        public TribuneClient build() {
            if (channel != null) {
                return new TribuneClient(channel, false, deadline, consistency, token);
            }
            if (target == null) {
                throw new IllegalStateException("a target (host:port) or a channel is required");
            }
            ManagedChannel ch = Grpc.newChannelBuilder(target, credentials)
                    .maxInboundMessageSize(maxInboundMessageBytes)
                    .build();
            return new TribuneClient(ch, true, deadline, consistency, token);
        }
    }
}
