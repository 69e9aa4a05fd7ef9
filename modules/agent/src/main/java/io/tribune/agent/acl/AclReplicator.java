package io.tribune.agent.acl;

import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Response;
import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The ACL replicator of a secondary datacenter (Consul 1.4's ACL replication): while this server
 * leads its datacenter, it copies the primary datacenter's policies and, with token replication,
 * its global tokens, and applies the difference through this datacenter's Raft log.
 *
 * <p><b>Rounds.</b> Policies and tokens each run a loop of rounds. A round waits for the rate
 * limiter, asks the primary for the whole list with a blocking query from the last index it
 * copied ({@code ?index=}), computes the difference with what this datacenter holds
 * ({@link AclReplicationDiff}) and applies it as replication commands, one after the other. Only
 * when every command is applied does the loop take the primary's index as replicated. A failure
 * (the primary unreachable, a refused token, a failed apply) is recorded as the last error and the
 * round is tried again after a backoff (1 s doubling to {@link #MAX_BACKOFF}); what was replicated
 * stays and keeps serving. An index that goes backwards (the primary restored a snapshot or was
 * rebuilt) starts over from 0.
 *
 * <p><b>Leadership.</b> {@link #start()} when this server becomes leader, {@link #stop()} when it
 * stops being one: a stopped replicator sends nothing more and ignores answers still under way
 * (each start is a new generation). A restart goes on from the last index it replicated; the first
 * round compares everything anyway, so a server that was not leader meanwhile catches up.
 *
 * <p><b>Time.</b> Only the given {@link Clock} and {@link Scheduler} are used, so tests drive it
 * with a virtual clock.
 *
 * <p>Thread-safe: state is guarded by this object's lock; answers arrive on any thread.
 */
public final class AclReplicator {
    private static final System.Logger LOG = System.getLogger(AclReplicator.class.getName());
    /** First wait after a failed round. */
    static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    /**
     * Longest wait after failed rounds: 10 s, so that a secondary that started before it could
     * reach the primary (no WAN path yet) replicates within seconds once it can, while a primary
     * that is down gets one question per loop every 10 s.
     */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /**
     * How fast to replicate. Consul's leader replicates at most {@code ACLReplicationRate} rounds
     * a second with bursts of {@code ACLReplicationBurst}; the defaults are its values.
     *
     * @param roundsPerSecond  most rounds per second of each loop, sustained (default 1)
     * @param burst            rounds that may run back to back after a quiet time (default 5)
     * @param blockingWait     the wait of each blocking query to the primary (default 60 s)
     * @param tokens           whether global tokens are replicated too ({@code acl.enable_token_replication})
     */
    public record Settings(double roundsPerSecond, int burst, Duration blockingWait, boolean tokens) {
        /** Consul's rate, burst; a 60 s blocking wait. */
        public static Settings defaults(boolean tokens) {
            return new Settings(1.0, 5, Duration.ofSeconds(60), tokens);
        }

        public Settings {
            if (!(roundsPerSecond > 0) || roundsPerSecond > 1000) {
                throw new IllegalArgumentException("the replication rate must be in (0, 1000] rounds/s, got "
                        + roundsPerSecond);
            }
            if (burst < 1 || burst > 1000) {
                throw new IllegalArgumentException("the replication burst must be in [1, 1000], got " + burst);
            }
            if (blockingWait.isNegative() || blockingWait.isZero()) {
                throw new IllegalArgumentException("the replication wait must be positive, got " + blockingWait);
            }
        }
    }

    /** The primary datacenter, as the replicator reads it. */
    public interface Primary {
        /** Every policy, blocking while the primary's policy index is at most {@code minIndex}. */
        CompletableFuture<Response<List<AclPolicy>>> policies(long minIndex, Duration wait);

        /** Every token with its secret, blocking while the primary's token index is at most {@code minIndex}. */
        CompletableFuture<Response<List<Acl.TokenInfo>>> tokens(long minIndex, Duration wait);
    }

    /** This datacenter: what it holds and how a command is applied through its Raft log. */
    public interface Local {
        /** Every policy this datacenter holds now. */
        List<AclPolicy> policies();

        /** Every token this datacenter holds now (local ones included; the replicator leaves them alone). */
        List<AclToken> tokens();

        /** Applies {@code c} through consensus; fails when it is refused, not applied, or this server does not lead. */
        CompletableFuture<Void> apply(Command c);
    }

    private final String source;
    private final Primary primary;
    private final Local local;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Settings settings;
    private final Loop policies;
    private final Loop tokens;

    private long generation;
    private boolean running;
    private long lastSuccessMillis;
    private long lastErrorMillis;
    private String lastError = "";

    /**
     * A stopped replicator.
     *
     * @param source the primary datacenter's name
     */
    public AclReplicator(String source, Primary primary, Local local, Clock clock, Scheduler scheduler,
                         Settings settings) {
        this.source = Objects.requireNonNull(source, "source");
        this.primary = Objects.requireNonNull(primary, "primary");
        this.local = Objects.requireNonNull(local, "local");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.policies = new Loop("policies");
        this.tokens = new Loop("tokens");
    }

    /** Starts both loops (a no-op while running). Called when this server becomes leader. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        generation++;
        long gen = generation;
        LOG.log(System.Logger.Level.INFO, "ACL replication from {0} started ({1}) at policy index {2}, token index {3}",
                source, settings.tokens() ? "policies and tokens" : "policies", policies.index, tokens.index);
        policies.backoff = Duration.ZERO;
        tokens.backoff = Duration.ZERO;
        round(policies, gen);
        if (settings.tokens()) {
            round(tokens, gen);
        }
    }

    /** Stops both loops; answers still under way are ignored. Called when leadership is lost. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        generation++;
        policies.cancelTimer();
        tokens.cancelTimer();
        LOG.log(System.Logger.Level.INFO, "ACL replication from {0} stopped", source);
    }

    /** Whether the loops run. */
    public synchronized boolean running() {
        return running;
    }

    /** The status for {@code /v1/acl/replication}. */
    public synchronized Acl.Replication status() {
        return new Acl.Replication(true, running, source, settings.tokens() ? "tokens" : "policies", policies.index,
                tokens.index, lastSuccessMillis, lastErrorMillis, lastError);
    }

    // ------------------------------------------------------------------ the loops

    /** One kind of object's loop. Guarded by the replicator's lock. */
    private final class Loop {
        final String kind;
        /** The primary's index last replicated in full (0: none yet). */
        long index;
        /** Token bucket: permits available, refilled at the rate up to the burst. */
        double permits;
        long refilledNanos;
        boolean primed;
        Duration backoff = Duration.ZERO;
        Cancellable timer;
        /** This loop's last failure, "" after a success (for logging a lasting failure once). */
        String lastError = "";

        Loop(String kind) {
            this.kind = kind;
        }

        void cancelTimer() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }

        /** Takes a permit; answers how long to wait first (zero when one is available). */
        Duration acquire() {
            long now = clock.nanos();
            if (!primed) {
                primed = true;
                permits = settings.burst();
                refilledNanos = now;
            }
            permits = Math.min(settings.burst(), permits + (now - refilledNanos) / 1e9 * settings.roundsPerSecond());
            refilledNanos = now;
            permits -= 1;
            if (permits >= 0) {
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil(-permits / settings.roundsPerSecond() * 1e9));
        }
    }

    private void round(Loop loop, long gen) {
        Duration delay = loop.acquire();
        if (delay.isZero()) {
            fetch(loop, gen);
        } else {
            loop.timer = scheduler.schedule(delay, () -> fetchIfCurrent(loop, gen));
        }
    }

    private synchronized void fetchIfCurrent(Loop loop, long gen) {
        if (current(gen)) {
            fetch(loop, gen);
        }
    }

    private boolean current(long gen) {
        return running && gen == generation;
    }

    private void fetch(Loop loop, long gen) {
        long from = loop.index;
        CompletableFuture<? extends Response<?>> f;
        try {
            f = loop == policies ? primary.policies(from, settings.blockingWait()) : primary.tokens(from, settings.blockingWait());
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((r, t) -> {
            if (t != null) {
                failed(loop, gen, t);
            } else {
                received(loop, gen, from, r);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private void received(Loop loop, long gen, long from, Response<?> r) {
        List<Command> commands;
        long remoteIndex = r.meta().index();
        synchronized (this) {
            if (!current(gen)) {
                return;
            }
            if (remoteIndex < from) {
                // The primary's index went back (restored, or rebuilt): start over from nothing.
                LOG.log(System.Logger.Level.WARNING, "the primary''s ACL {0} index went back from {1} to {2}; "
                        + "replicating everything again", loop.kind, from, remoteIndex);
                loop.index = 0;
                round(loop, gen);
                return;
            }
            try {
                if (loop == policies) {
                    commands = AclReplicationDiff.policyCommands(AclReplicationDiff.policies(local.policies(),
                            (List<AclPolicy>) r.value()));
                } else {
                    List<AclToken> remote = new ArrayList<>();
                    ((List<Acl.TokenInfo>) r.value()).forEach(i -> remote.add(i.token()));
                    commands = AclReplicationDiff.tokenCommands(AclReplicationDiff.tokens(local.tokens(), remote));
                }
            } catch (RuntimeException e) {
                failed(loop, gen, e);
                return;
            }
        }
        applyAll(loop, gen, commands, 0, remoteIndex);
    }

    private void applyAll(Loop loop, long gen, List<Command> commands, int next, long remoteIndex) {
        synchronized (this) {
            if (!current(gen)) {
                return;
            }
            if (next == commands.size()) {
                succeeded(loop, gen, remoteIndex, commands.size());
                return;
            }
        }
        CompletableFuture<Void> f;
        try {
            f = local.apply(commands.get(next));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((x, t) -> {
            if (t != null) {
                failed(loop, gen, t);
            } else {
                applyAll(loop, gen, commands, next + 1, remoteIndex);
            }
        });
    }

    private synchronized void succeeded(Loop loop, long gen, long remoteIndex, int commands) {
        if (commands > 0) {
            LOG.log(System.Logger.Level.DEBUG, "replicated ACL {0} up to index {1} of {2} in {3} command(s)",
                    loop.kind, remoteIndex, source, commands);
        }
        loop.index = remoteIndex;
        loop.backoff = Duration.ZERO;
        loop.lastError = "";
        lastSuccessMillis = clock.wallMillis();
        round(loop, gen);
    }

    private synchronized void failed(Loop loop, long gen, Throwable t) {
        if (!current(gen)) {
            return;
        }
        Throwable c = AgentException.unwrap(t);
        String message = c.getMessage() == null ? c.toString() : c.getMessage();
        String error = "replicating " + loop.kind + " from " + source + ": " + message;
        // The same failure again (a primary that stays down) is logged once, not every round.
        System.Logger.Level level = error.equals(loop.lastError) ? System.Logger.Level.DEBUG
                : System.Logger.Level.WARNING;
        loop.lastError = error;
        lastErrorMillis = clock.wallMillis();
        lastError = error;
        loop.backoff = loop.backoff.isZero() ? MIN_BACKOFF
                : min(loop.backoff.multipliedBy(2), MAX_BACKOFF);
        LOG.log(level, "ACL replication of {0} from {1} failed, trying again in {2}: {3}", loop.kind, source,
                loop.backoff, message);
        loop.timer = scheduler.schedule(loop.backoff, () -> retryIfCurrent(loop, gen));
    }

    private synchronized void retryIfCurrent(Loop loop, long gen) {
        if (current(gen)) {
            round(loop, gen);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * The primary read through the request layer: blocking reads of datacenter {@code dc} with its
     * default consistency (a stale server could answer an index below the last one and make the
     * replicator start over).
     */
    static Primary primaryThrough(io.tribune.agent.rpc.Requests requests, String dc, Supplier<String> token) {
        Function<Long, Function<Duration, io.tribune.agent.rpc.Options>> options = minIndex -> wait ->
                io.tribune.agent.rpc.Options.DEFAULT.withDatacenter(dc).withToken(token.get()).blocking(minIndex, wait);
        return new Primary() {
            @Override
            public CompletableFuture<Response<List<AclPolicy>>> policies(long minIndex, Duration wait) {
                return requests.call(new Acl.PolicyList(), options.apply(minIndex).apply(wait));
            }

            @Override
            public CompletableFuture<Response<List<Acl.TokenInfo>>> tokens(long minIndex, Duration wait) {
                return requests.call(new Acl.TokenList(), options.apply(minIndex).apply(wait));
            }
        };
    }
}
