package io.tribune.agent.server;

import io.tribune.agent.config.CoordinateSettings;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.internal.Router;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.consensus.Consensus;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.Coordinate;
import io.tribune.state.StateStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The leader's queue of coordinate updates ({@link Coordinates.Update}), written to the replicated
 * state in batches, as Consul's servers do: agents send their coordinate every
 * {@code coordinate_update_period}; the leader keeps the latest per node and segment and, every period,
 * proposes at most {@code coordinate_update_max_batches} commands of at most
 * {@code coordinate_update_batch_size} coordinates each. So the Raft log grows by a bounded number of
 * entries per period whatever the number of agents.
 *
 * <p><b>Bounds and refusals.</b> An update with an invalid coordinate is refused whole by the
 * operation itself ({@link Coordinates#problem}); one naming a node the catalog does not know is refused
 * here ({@code BAD_REQUEST}, nothing queued). At most {@link CoordinateSettings#pendingLimit()}
 * coordinates are held: a coordinate of a node not yet queued that arrives beyond that is dropped and
 * counted ({@link #discarded()}), as Consul discards what exceeds its batches; a node already queued is
 * replaced in place.
 *
 * <p><b>Threading.</b> Thread-safe: {@link #offer} runs on request threads, {@link #flush} on the
 * scheduler; the queue is guarded by this object's lock, proposals complete on consensus threads. A
 * flush on a server that is not (or no longer) the leader drops the queue: the agents send again
 * next period, to the new leader.
 */
public final class CoordinateBatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CoordinateBatcher.class.getName());

    private final Consensus consensus;
    private final CoordinateSettings settings;
    /** Insertion-ordered so that batches are deterministic: the oldest queued goes first. */
    private final Map<List<String>, Coordinate> pending = new LinkedHashMap<>();
    private final AtomicLong discarded = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong proposals = new AtomicLong();
    private Cancellable task;

    public CoordinateBatcher(Consensus consensus, CoordinateSettings settings) {
        this.consensus = consensus;
        this.settings = settings;
    }

    /** Starts flushing every update period on {@code scheduler}; idempotent. */
    public synchronized void start(Scheduler scheduler) {
        if (task == null) {
            task = scheduler.scheduleWithFixedDelay(settings.updatePeriod(), settings.updatePeriod(), this::flush);
        }
    }

    /** Stops flushing; what is queued is dropped. Idempotent. */
    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel();
            task = null;
        }
        pending.clear();
    }

    /**
     * Queues the coordinates of {@code update}, after checking that every node is registered in
     * {@code state}. All or nothing for refusals: an unknown node refuses the whole update.
     *
     * @return how many were queued (the others were dropped at the limit)
     * @throws AgentException {@code BAD_REQUEST} naming the first unknown node
     */
    public int offer(Coordinates.Update update, StateStore state) {
        for (Coordinate c : update.coordinates()) {
            if (state.node(c.node()).value().isEmpty()) {
                throw AgentException.badRequest("coordinate of node '" + c.node()
                        + "' refused: the node is not registered in the catalog");
            }
        }
        int queued = 0;
        synchronized (this) {
            for (Coordinate c : update.coordinates()) {
                List<String> key = List.of(c.node(), c.segment());
                if (pending.containsKey(key)) {
                    pending.put(key, c);
                    queued++;
                } else if (pending.size() < settings.pendingLimit()) {
                    pending.put(key, c);
                    queued++;
                } else {
                    discarded.incrementAndGet();
                }
            }
        }
        return queued;
    }

    /** Coordinates queued now. */
    public synchronized int pending() {
        return pending.size();
    }

    /** Coordinates dropped because the queue was full, since start. */
    public long discarded() {
        return discarded.get();
    }

    /** Coordinates stored by flushes of this server, since start. */
    public long written() {
        return written.get();
    }

    /** Raft commands proposed by flushes of this server, since start. */
    public long proposals() {
        return proposals.get();
    }

    /**
     * Proposes what is queued, in batches; when not the leader, drops it. Completes with the number
     * of coordinates the state stored (it skips nodes deregistered meanwhile); a failed proposal is
     * logged and its coordinates dropped.
     */
    public CompletableFuture<Long> flush() {
        List<List<Coordinate>> batches = new ArrayList<>();
        synchronized (this) {
            if (pending.isEmpty()) {
                return CompletableFuture.completedFuture(0L);
            }
            if (!consensus.isLeader()) {
                pending.clear();
                return CompletableFuture.completedFuture(0L);
            }
            Iterator<Coordinate> it = pending.values().iterator();
            while (it.hasNext() && batches.size() < settings.maxBatches()) {
                List<Coordinate> batch = new ArrayList<>(settings.batchSize());
                while (it.hasNext() && batch.size() < settings.batchSize()) {
                    batch.add(it.next());
                    it.remove();
                }
                batches.add(batch);
            }
        }
        List<CompletableFuture<Long>> done = new ArrayList<>();
        for (List<Coordinate> batch : batches) {
            proposals.incrementAndGet();
            done.add(consensus.apply(new Command.CoordinateUpdate(batch).encode(), Router.APPLY_TIMEOUT)
                    .handle((a, e) -> {
                        if (e != null) {
                            LOG.log(System.Logger.Level.WARNING, "writing " + batch.size()
                                    + " coordinates failed: " + e);
                            return 0L;
                        }
                        CommandResult r = CommandResult.decode(a.result());
                        long n = r instanceof CommandResult.Count c ? c.value() : 0L;
                        written.addAndGet(n);
                        return n;
                    }));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                .thenApply(x -> done.stream().mapToLong(CompletableFuture::join).sum());
    }
}
