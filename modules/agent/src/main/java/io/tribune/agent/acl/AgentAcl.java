package io.tribune.agent.acl;

import io.tribune.agent.config.AgentConfig;
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

    private final AclSettings settings;
    private final AgentTokens tokens;
    private final AclResolver resolver;
    private final Cancellable initTimer;

    private AgentAcl(AclSettings settings, AgentTokens tokens, AclResolver resolver, Cancellable initTimer) {
        this.settings = settings;
        this.tokens = tokens;
        this.resolver = resolver;
        this.initTimer = initTimer;
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
        if (state.isPresent()) {
            AclEndpoints.registerServer(handlers, settings, resolver, config.dataDir());
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
                if (!c.isLeader() || (s.aclPolicy(Builtins.GLOBAL_MANAGEMENT_ID).value().isPresent()
                        && s.aclToken(Builtins.ANONYMOUS_ACCESSOR_ID).value().isPresent())
                        || !proposing.compareAndSet(false, true)) {
                    return;
                }
                // Consul's leader creates these when it takes office; a no-op for whatever exists.
                c.apply(AclEndpoints.init(clock.wallMillis()).encode(), Router.APPLY_TIMEOUT).whenComplete((a, t) -> {
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
        return new AgentAcl(settings, tokens, resolver, timer);
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

    /** Stops the leader's duty. */
    @Override
    public void close() {
        initTimer.cancel();
    }
}
