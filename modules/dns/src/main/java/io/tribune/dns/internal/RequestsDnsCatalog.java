package io.tribune.dns.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
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
import java.util.function.Supplier;

/**
 * The DNS interface's catalog: every lookup is a stale read through the agent's request layer (Consul's
 * DNS default, {@code allow_stale}), so a server answers from its own state, a client agent's lookup
 * goes to a server, and with {@code discovery_max_stale} a server further behind its leader than the
 * bound has the leader answer, all decided once below the front ends. A lookup waits at most
 * {@code timeout} (a DNS client gives up after a few seconds anyway); no answer in time or any failure
 * is {@link DnsCatalog.UnavailableException}, which the resolver answers with SERVFAIL, except that no
 * path to the datacenter asked for is {@link DnsCatalog.NoPathException} (NXDOMAIN).
 */
public final class RequestsDnsCatalog implements DnsCatalog {
    private final Requests requests;
    private final Duration timeout;
    private final Options options;

    /**
     * @param requests the agent's request layer
     * @param timeout  how long one lookup may wait
     * @param maxStale when present, how far behind its leader the answering server may be (the agent's
     *                 {@code discovery_max_stale}); absent: no bound
     */
    public RequestsDnsCatalog(Requests requests, Duration timeout, Optional<Duration> maxStale) {
        this.requests = Objects.requireNonNull(requests, "requests");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.options = Options.of(ReadConsistency.STALE).withMaxStale(maxStale.orElse(Duration.ZERO));
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
    public List<Node> nodes(String datacenter) {
        return get(() -> new Catalog.Nodes(Map.of()), datacenter);
    }

    /**
     * Builds the operation inside the guard, so a name the layer refuses is unavailable too; a
     * datacenter other than "" is routed there by the request layer ({@code ?dc=}).
     */
    private <R> R get(Supplier<Op<R>> op, String datacenter) {
        try {
            Options o = datacenter.isEmpty() ? options : options.withDatacenter(datacenter);
            return requests.call(op.get(), o).get(timeout.toNanos(), TimeUnit.NANOSECONDS).value();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        } catch (ExecutionException e) {
            AgentException ae = AgentException.of(e);
            if (ae.kind() == AgentException.Kind.NO_PATH_TO_DATACENTER) {
                throw new NoPathException(ae.getMessage());
            }
            throw new UnavailableException("lookup failed: " + ae.getMessage());
        } catch (TimeoutException e) {
            throw new UnavailableException("no answer from a server within " + timeout.toMillis() + " ms");
        } catch (AgentException e) {
            throw new UnavailableException("lookup failed: " + e.getMessage());
        }
    }
}
