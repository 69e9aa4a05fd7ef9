package io.tribune.agent.rpc.internal;

import io.tribune.api.transport.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A client agent's list of the servers of its datacenter, in the order it will try them. The
 * head of the list is the server every RPC goes to; the list is shuffled on start and on every
 * rebalance so that clients spread over the servers; a server that fails a call moves to the
 * tail so the next call goes to another one; membership changes add new servers (at a random
 * place) and drop departed ones, keeping the order of the others so that a client does not move
 * for no reason.
 *
 * <p>Thread-safe (all methods synchronize on the instance); no I/O, no clock: the forwarder calls
 * {@link #refresh} and {@link #rebalance} from its timers and membership events.
 */
public final class ServerManager {
    /** Shortest time a client keeps its server before rebalancing (Consul uses 2 minutes too). */
    static final Duration MIN_REBALANCE = Duration.ofMinutes(2);
    /**
     * Connections a server is expected to absorb per second from rebalancing clients; the interval
     * grows with clients per server so that a large pool does not stampede its servers.
     */
    static final int NEW_CONNECTIONS_PER_SERVER_PER_SECOND = 64;

    private final RandomGenerator random;
    private List<Endpoint> servers = new ArrayList<>();

    /** An empty list that shuffles with {@code random}. */
    public ServerManager(RandomGenerator random) {
        this.random = random;
    }

    /** The server to use now, if any is known. */
    public synchronized Optional<Endpoint> current() {
        return servers.isEmpty() ? Optional.empty() : Optional.of(servers.get(0));
    }

    /** The servers in the order they will be tried. */
    public synchronized List<Endpoint> servers() {
        return List.copyOf(servers);
    }

    /**
     * A call to {@code server} failed as unreachable: move it to the tail so the next call goes to
     * the next server. Does nothing when it is not (any longer) in the list.
     */
    public synchronized void failed(Endpoint server) {
        if (servers.remove(server)) {
            servers.add(server);
        }
    }

    /**
     * Replaces the known servers with {@code known}: keeps the order of those still known, drops the
     * others and inserts new ones at random places (so that clients learning of a new server at the
     * same time do not all put it first or last).
     */
    public synchronized void refresh(List<Endpoint> known) {
        Set<Endpoint> keep = new LinkedHashSet<>(known);
        List<Endpoint> next = new ArrayList<>();
        for (Endpoint e : servers) {
            if (keep.remove(e)) {
                next.add(e);
            }
        }
        for (Endpoint e : keep) {
            next.add(random.nextInt(next.size() + 1), e);
        }
        servers = next;
    }

    /** Shuffles the list (Fisher–Yates) so that load spreads again after failovers and joins. */
    public synchronized void rebalance() {
        for (int i = servers.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Endpoint t = servers.get(i);
            servers.set(i, servers.get(j));
            servers.set(j, t);
        }
    }

    /**
     * How long to keep the current order before the next {@link #rebalance}: at least
     * {@link #MIN_REBALANCE}, longer when the pool has many nodes per server so that all clients
     * moving once per interval cost each server at most
     * {@link #NEW_CONNECTIONS_PER_SERVER_PER_SECOND} new connections per second, plus up to 50 %
     * random jitter so that clients do not move in step.
     *
     * @param clusterSize nodes in the pool (at least 1)
     * @param serverCount known servers (at least 1)
     * @param jitter01    a random number in [0, 1)
     */
    public static Duration rebalanceInterval(int clusterSize, int serverCount, double jitter01) {
        int servers = Math.max(1, serverCount);
        long spreadSeconds = (long) Math.ceil(Math.max(1, clusterSize) / (double) (servers
                * NEW_CONNECTIONS_PER_SERVER_PER_SECOND));
        Duration base = Duration.ofSeconds(Math.max(MIN_REBALANCE.toSeconds(), spreadSeconds));
        return base.plusMillis((long) (base.toMillis() * 0.5 * Math.min(Math.max(jitter01, 0), 1)));
    }
}
