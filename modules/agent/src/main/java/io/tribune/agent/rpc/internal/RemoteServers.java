package io.tribune.agent.rpc.internal;

import io.tribune.api.Clock;
import io.tribune.api.transport.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Which servers of another datacenter a request tries, and in which order (Consul's router picks a
 * random server of the datacenter and moves one that failed out of the way). The servers the WAN
 * pool believes alive are shuffled; those that failed a call within the last {@code quarantine} go
 * after the others, oldest failure first, so that one dead server does not cost every request a
 * failed attempt while the WAN pool has not yet noticed (its probes take seconds, its suspicion
 * tens of seconds). A server that answers is forgotten as failed at once. At most {@code max}
 * servers are tried per request.
 *
 * <p>Thread-safe (one lock); each shuffle is seeded from the supplier handed in (the router's seeded
 * generator, drawn only when a request leaves for another datacenter); time comes from
 * the clock handed in (virtual in tests). Remembers at most {@link #MAX_REMEMBERED} failures.
 */
final class RemoteServers {
    /** Most failed servers remembered: a bound, far above any real number of remote servers. */
    static final int MAX_REMEMBERED = 1024;

    private final Clock clock;
    private final Duration quarantine;
    private final LongSupplier seeds;
    /** Failed endpoint to the clock's nanos of its last failure, insertion-ordered (oldest first). */
    private final Map<Endpoint, Long> failedAt = new LinkedHashMap<>();

    RemoteServers(Clock clock, Duration quarantine, LongSupplier seeds) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.quarantine = Objects.requireNonNull(quarantine, "quarantine");
        this.seeds = Objects.requireNonNull(seeds, "seeds");
    }

    /**
     * The servers to try for one request, from {@code alive} (the datacenter's servers the WAN pool
     * believes alive, in any order): at most {@code max}, servers without a recent failure first in a
     * random order, then recently failed ones, the one that failed longest ago first.
     */
    synchronized List<Endpoint> candidates(List<Endpoint> alive, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        long now = clock.nanos();
        List<Endpoint> fresh = new ArrayList<>();
        List<Endpoint> suspect = new ArrayList<>();
        for (Endpoint e : alive) {
            Long at = failedAt.get(e);
            if (at != null && now - at < quarantine.toNanos()) {
                suspect.add(e);
            } else {
                fresh.add(e);
            }
        }
        Collections.shuffle(fresh, new Random(seeds.getAsLong()));
        suspect.sort(Comparator.comparingLong(failedAt::get));
        List<Endpoint> out = new ArrayList<>(fresh);
        out.addAll(suspect);
        return List.copyOf(out.subList(0, Math.min(max, out.size())));
    }

    /** Records that a call to {@code server} could not reach it. */
    synchronized void failed(Endpoint server) {
        failedAt.remove(server);
        failedAt.put(server, clock.nanos());
        while (failedAt.size() > MAX_REMEMBERED) {
            failedAt.remove(failedAt.keySet().iterator().next());
        }
    }

    /** Records that {@code server} answered: it is no longer treated as failed. */
    synchronized void answered(Endpoint server) {
        failedAt.remove(server);
    }
}
