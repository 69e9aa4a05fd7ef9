package io.tribune.agent.acl;

import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.api.PluginConfig;
import io.tribune.api.Subscription;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import java.util.concurrent.CompletableFuture;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.agent.rpc.internal.Router;
import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.api.consensus.Consensus;
import io.tribune.acl.Builtins;
import io.tribune.state.StateStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ACL system of one agent, wired into its request layer: settings, the agent's tokens, the
 * resolver, the endpoints, the authorization of every operation ({@link AclAccessControl}), and on
 * servers the leader's duty of creating the built-in policy and anonymous token.
 *
 * <p>Started once while the agent starts, before its front ends; {@link #close()} stops the duty.
 */
public final class AgentAcl implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentAcl.class.getName());
    /** How often the leader checks that the built-in objects exist. */
    static final Duration INIT_PERIOD = Duration.ofSeconds(2);

    /** Property key: most replication rounds per second of each loop (Consul's ACLReplicationRate, 1). */
    public static final String REPLICATION_RATE = "acl.replication.rate";
    /** Property key: replication rounds that may run back to back (Consul's ACLReplicationBurst, 5). */
    public static final String REPLICATION_BURST = "acl.replication.burst";
    /** Property key: the wait of each blocking query to the primary (60s). */
    public static final String REPLICATION_WAIT = "acl.replication.wait";

    private final AclSettings settings;
    private final AgentTokens tokens;
    private final AclResolver resolver;
    private final Cancellable initTimer;
    private final Optional<AclReplicator> replicator;
    private final Subscription leadership;

    private AgentAcl(AclSettings settings, AgentTokens tokens, AclResolver resolver, Cancellable initTimer,
                     Optional<AclReplicator> replicator, Subscription leadership) {
        this.settings = settings;
        this.tokens = tokens;
        this.resolver = resolver;
        this.initTimer = initTimer;
        this.replicator = replicator;
        this.leadership = leadership;
    }

    /**
     * Whether a datacenter named {@code datacenter} replicates ACLs: ACLs are on and a primary
     * datacenter other than it is configured.
     */
    public static boolean secondary(AclSettings settings, String datacenter) {
        return settings.enabled() && !settings.primaryDatacenter().isEmpty()
                && !settings.primaryDatacenter().equalsIgnoreCase(datacenter);
    }

    /**
     * Reads the ACL settings of {@code config}, registers the ACL endpoints on {@code handlers} and
     * puts the ACL system in charge of authorization in {@code router}.
     *
     * @param consensus the server's consensus (empty on a client agent)
     * @param state     the server's state (empty on a client agent)
     */
    public static AgentAcl start(AgentConfig config, Router router, Handlers handlers, Optional<Consensus> consensus,
                                 Optional<StateStore> state, Clock clock, Scheduler scheduler) {
        AclSettings settings = AclSettings.from(config.pluginConfig());
        AgentTokens tokens = new AgentTokens(settings);
        AclResolver resolver = new AclResolver(settings, tokens, state, router, clock);
        boolean secondary = secondary(settings, config.datacenter());
        Optional<AclReplicator> replicator = Optional.empty();
        Subscription leadership = () -> { };
        if (secondary && consensus.isPresent() && state.isPresent()) {
            AclReplicator r = new AclReplicator(settings.primaryDatacenter(),
                    AclReplicator.primaryThrough(router, settings.primaryDatacenter(), tokens::replication),
                    local(consensus.get(), state.get()), clock, scheduler,
                    replicationSettings(config.pluginConfig(), settings.enableTokenReplication()));
            replicator = Optional.of(r);
            // Only the leader replicates (Consul's leader loop); losing leadership stops it.
            leadership = consensus.get().onLeadershipChange(l -> {
                if (l.isLeader()) {
                    r.start();
                } else {
                    r.stop();
                }
            });
        }
        if (state.isPresent()) {
            Optional<AclReplicator> rep = replicator;
            Acl.Replication off = new Acl.Replication(false, false, settings.primaryDatacenter(), "", 0, 0, 0, 0, "");
            AclEndpoints.registerServer(handlers, settings, resolver, config.dataDir(),
                    secondary ? Optional.of(settings.primaryDatacenter()) : Optional.empty(),
                    () -> rep.map(AclReplicator::status).orElse(off));
        }
        AclEndpoints.registerLocal(handlers, settings, tokens);
        if (settings.enabled()) {
            router.accessControl(new AclAccessControl(resolver, state, config.nodeName()));
        }
        Cancellable timer = () -> false;
        if (settings.enabled() && consensus.isPresent() && state.isPresent()) {
            Consensus c = consensus.get();
            StateStore s = state.get();
            AtomicBoolean proposing = new AtomicBoolean();
            timer = scheduler.scheduleWithFixedDelay(Duration.ZERO, INIT_PERIOD, () -> {
                boolean builtins = s.aclPolicy(Builtins.GLOBAL_MANAGEMENT_ID).value().isPresent()
                        && s.aclToken(Builtins.ANONYMOUS_ACCESSOR_ID).value().isPresent();
                // keys feature: the configured master token is a token of the state, listed by
                // /v1/acl/tokens as in Consul, whose leader stores it in the primary datacenter (a
                // secondary gets it by token replication).
                boolean master = secondary || settings.master().isEmpty()
                        || s.aclTokenBySecret(settings.master()).value().isPresent();
                if (!c.isLeader() || (builtins && master) || !proposing.compareAndSet(false, true)) {
                    return;
                }
                // Consul's leader creates these when it takes office; a no-op for whatever exists.
                io.tribune.state.Command cmd = builtins ? AclEndpoints.masterToken(settings.master(), clock.wallMillis())
                        : AclEndpoints.init(clock.wallMillis());
                c.apply(cmd.encode(), Router.APPLY_TIMEOUT).whenComplete((a, t) -> {
                    proposing.set(false);
                    if (t != null) {
                        LOG.log(System.Logger.Level.DEBUG, "creating the built-in ACL objects failed, will retry: {0}",
                                t.toString());
                    }
                });
            });
        }
        if (settings.enabled()) {
            LOG.log(System.Logger.Level.INFO, "ACLs enabled: {0}", settings);
        }
        return new AgentAcl(settings, tokens, resolver, timer, replicator, leadership);
    }

    /** Replication settings from the agent's properties (defaults: Consul's rate and burst). */
    static AclReplicator.Settings replicationSettings(PluginConfig p, boolean tokens) {
        AclReplicator.Settings d = AclReplicator.Settings.defaults(tokens);
        try {
            return new AclReplicator.Settings(Double.parseDouble(p.getString(REPLICATION_RATE,
                    Double.toString(d.roundsPerSecond()))), p.getInt(REPLICATION_BURST, d.burst()),
                    p.getDuration(REPLICATION_WAIT, d.blockingWait()), tokens);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** This datacenter as the replicator sees it: its state, and proposals through its consensus. */
    private static AclReplicator.Local local(Consensus c, StateStore s) {
        return new AclReplicator.Local() {
            @Override
            public java.util.List<AclPolicy> policies() {
                return s.aclPolicies().value();
            }

            @Override
            public java.util.List<AclToken> tokens() {
                return s.aclTokens().value();
            }

            @Override
            public CompletableFuture<Void> apply(Command cmd) {
                Optional<String> bad = CommandValidator.validate(cmd);
                if (bad.isPresent()) {
                    return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.BAD_REQUEST,
                            "the primary's ACL data cannot be applied here: " + bad.get()));
                }
                // No request id (Dedup): a replication batch states what the objects are, so applying
                // it twice leaves the same objects (only modify indexes move); a retry is harmless.
                return c.apply(cmd.encode(), Router.APPLY_TIMEOUT).thenApply(a -> {
                    CommandResult r = CommandResult.decode(a.result());
                    if (r instanceof CommandResult.Failed) {
                        throw AclEndpoints.failure(r);
                    }
                    return null;
                });
            }
        };
    }

    /** The replicator of this server, when its datacenter is a secondary one (tests and figures). */
    public Optional<AclReplicator> replicator() {
        return replicator;
    }

    /** The settings in force. */
    public AclSettings settings() {
        return settings;
    }

    /** The agent's own tokens. */
    public AgentTokens tokens() {
        return tokens;
    }

    /** The token resolver (figures for {@code /v1/agent/self}). */
    public AclResolver resolver() {
        return resolver;
    }

    /**
     * {@code requests} for the agent's own calls (anti-entropy, check updates, its registration):
     * a call without a token carries the agent token ({@code acl.tokens.agent}, else the default).
     */
    public Requests agentRequests(Requests requests) {
        Objects.requireNonNull(requests, "requests");
        return new Requests() {
            @Override
            public <R> java.util.concurrent.CompletableFuture<io.tribune.agent.rpc.Response<R>> call(
                    io.tribune.agent.rpc.Op<R> op, Options options) {
                return requests.call(op, options.token().isEmpty() ? options.withToken(tokens.agentToken()) : options);
            }
        };
    }

    /** Stops the leader's duties (the built-ins' check, replication). */
    @Override
    public void close() {
        initTimer.cancel();
        leadership.close();
        replicator.ifPresent(AclReplicator::stop);
    }
}
