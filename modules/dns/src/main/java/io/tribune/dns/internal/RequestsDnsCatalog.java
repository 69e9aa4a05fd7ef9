package io.tribune.dns.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Queries;
import io.tribune.agent.rpc.Requests;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.Node;
import io.tribune.state.NodeServices;
import io.tribune.state.ServiceHealth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The DNS interface's catalog: every lookup is a stale read through the agent's request layer (Consul's
 * DNS default, {@code allow_stale}), so a server answers from its own state, a client agent's lookup
 * goes to a server, and with {@code discovery_max_stale} a server further behind its leader than the
 * bound has the leader answer, all decided once below the front ends. A lookup waits at most
 * {@code timeout} (a DNS client gives up after a few seconds anyway); no answer in time or any failure
 * is {@link DnsCatalog.UnavailableException}, which the resolver answers with SERVFAIL, except that no
 * path to the datacenter asked for is {@link DnsCatalog.NoPathException} (NXDOMAIN).
 *
 * <p><b>Failing fast.</b> Each lookup holds one of the DNS server's few worker threads while it
 * waits. When no server answers, every lookup would wait the whole timeout, so a handful of workers
 * would serve a lookup per second or so and the rest would queue until clients time out (issue 17:
 * a client agent without servers timed out instead of answering SERVFAIL). So once a lookup failed
 * because the cluster could not be reached, the lookups of the next {@link #FAIL_FAST} fail at once,
 * except one at a time that goes on asking (a probe), whose success ends the window early. Answers
 * such as "no such name" are not failures. The window covers lookups in the local datacenter only:
 * another datacenter being unreachable says nothing about this one's servers (and the request layer
 * fails those lookups fast by itself). Thread-safe.
 */
public final class RequestsDnsCatalog implements DnsCatalog {
    /** How long after a failure to reach the cluster lookups fail at once (but for one probe at a time). */
    public static final Duration FAIL_FAST = Duration.ofSeconds(2);

    private final Requests requests;
    private final Duration timeout;
    private final Options options;
    private final LongSupplier nanos;
    /** Until when (on {@link #nanos}) lookups fail at once; no window when in the past. */
    private volatile long failingUntil;
    private volatile boolean failing;
    private final AtomicBoolean probing = new AtomicBoolean();

    /**
     * @param requests the agent's request layer
     * @param timeout  how long one lookup may wait
     * @param maxStale when present, how far behind its leader the answering server may be (the agent's
     *                 {@code discovery_max_stale}); absent: no bound
     */
    public RequestsDnsCatalog(Requests requests, Duration timeout, Optional<Duration> maxStale) {
        this(requests, timeout, maxStale, System::nanoTime);
    }

    /**
     * As {@link #RequestsDnsCatalog(Requests, Duration, Optional)}, with the monotonic clock that
     * times the {@link #FAIL_FAST} window ({@code nanos}, e.g. the agent's clock).
     */
    public RequestsDnsCatalog(Requests requests, Duration timeout, Optional<Duration> maxStale, LongSupplier nanos) {
        this.requests = Objects.requireNonNull(requests, "requests");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.options = Options.of(ReadConsistency.STALE).withMaxStale(maxStale.orElse(Duration.ZERO));
        this.nanos = Objects.requireNonNull(nanos, "nanos");
    }

    @Override
    public Optional<Node> node(String name) {
        return node(name, "");
    }

    @Override
    public List<ServiceHealth> serviceHealth(String service, String tag) {
        return serviceHealth(service, tag, "");
    }

    @Override
    public Optional<Node> node(String name, String datacenter) {
        return get(() -> new Catalog.ServicesOfNode(name), datacenter).map(NodeServices::node);
    }

    @Override
    public List<ServiceHealth> serviceHealth(String service, String tag, String datacenter) {
        return get(() -> new Health.ServiceNodes(service, tag == null ? List.of() : List.of(tag), false, Map.of()),
                datacenter);
    }

    @Override
    public Optional<QueryAnswer> preparedQuery(String idOrName, String datacenter) {
        Queries.Result r;
        try {
            r = get(() -> new Queries.Execute(idOrName, "", 0), datacenter);
        } catch (NotFound e) {
            return Optional.empty();
        }
        Optional<Duration> ttl = Optional.empty();
        if (!r.query().dnsTtl().isEmpty()) {
            // Validated when the query was written; a TTL this agent cannot read falls back to the default.
            try {
                ttl = Optional.of(io.tribune.state.BlockingWait.parseDuration(r.query().dnsTtl()));
            } catch (IllegalArgumentException e) {
                ttl = Optional.empty();
            }
        }
        return Optional.of(new QueryAnswer(r.nodes(), ttl, r.datacenter()));
    }

    /** No prepared query matched the name: the name does not exist (NXDOMAIN), nothing failed. */
    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public List<Node> nodes(String datacenter) {
        return get(() -> new Catalog.Nodes(Map.of()), datacenter);
    }

    /**
     * Builds the operation inside the guard, so a name the layer refuses is unavailable too; a
     * datacenter other than "" is routed there by the request layer ({@code ?dc=}).
     */
    private <R> R get(Supplier<Op<R>> op, String datacenter) {
        boolean local = datacenter.isEmpty();
        boolean probe = false;
        if (local && failing && nanos.getAsLong() - failingUntil < 0) {
            if (!probing.compareAndSet(false, true)) {
                throw new UnavailableException("the cluster could not be reached a moment ago; failing fast");
            }
            probe = true;
        }
        try {
            Options o = local ? options : options.withDatacenter(datacenter);
            R value = requests.call(op.get(), o).get(timeout.toNanos(), TimeUnit.NANOSECONDS).value();
            if (local) {
                failing = false;
            }
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        } catch (ExecutionException e) {
            AgentException ae = AgentException.of(e);
            if (ae.kind() == AgentException.Kind.NO_PATH_TO_DATACENTER) {
                throw new NoPathException(ae.getMessage());
            }
            if (ae.kind() == AgentException.Kind.NOT_FOUND) {
                throw new NotFound(ae.getMessage());
            }
            if (local && unreachable(ae.kind())) {
                failFast();
            }
            throw new UnavailableException("lookup failed: " + ae.getMessage());
        } catch (TimeoutException e) {
            if (local) {
                failFast();
            }
            throw new UnavailableException("no answer from a server within " + timeout.toMillis() + " ms");
        } catch (AgentException e) {
            throw new UnavailableException("lookup failed: " + e.getMessage());
        } finally {
            if (probe) {
                probing.set(false);
            }
        }
    }

    /** Failures that say the cluster cannot be reached (rather than something about this lookup). */
    private static boolean unreachable(AgentException.Kind kind) {
        return switch (kind) {
            case NO_SERVERS, NO_LEADER, UNAVAILABLE, TIMEOUT, OUTCOME_UNKNOWN -> true;
            default -> false;
        };
    }

    private void failFast() {
        failingUntil = nanos.getAsLong() + FAIL_FAST.toNanos();
        failing = true;
    }
}
