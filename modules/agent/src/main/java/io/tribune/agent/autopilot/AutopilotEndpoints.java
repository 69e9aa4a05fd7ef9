package io.tribune.agent.autopilot;

import io.tribune.agent.rpc.Autopilot;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.api.Clock;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.Membership;
import io.tribune.state.AutopilotConfig;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.Indexed;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The server side of {@link Autopilot}: reading and storing the configuration, and the leader's
 * health report. Registered once on a server's handlers; thread-safe.
 */
public final class AutopilotEndpoints {
    private AutopilotEndpoints() {
    }

    /**
     * Registers the autopilot handlers.
     *
     * @param defaults the configured defaults, answered until a configuration is stored
     */
    public static void register(Handlers h, AutopilotConfig defaults, Membership lan, Clock clock) {
        ServerHealthRules rules = new ServerHealthRules();
        h.read(Autopilot.GetConfig.class, new Handlers.ReadHandler<>() {
            @Override
            public Optional<WatchTarget> target(Autopilot.GetConfig op) {
                return Optional.empty();
            }

            @Override
            public Indexed<AutopilotConfig> read(Autopilot.GetConfig op, StateStore state, Consensus c, long barrier) {
                AutopilotConfig cfg = AutopilotSettings.effective(state, defaults);
                return new Indexed<>(Math.max(1, cfg.modifyIndex()), cfg);
            }
        });
        h.write(Autopilot.SetConfig.class, (o, ctx) -> ctx.propose(new Command.AutopilotSet(o.config(), o.cas()))
                .thenApply(a -> {
                    CommandResult r = CommandResult.decode(a.result());
                    if (r instanceof CommandResult.Bool b) {
                        return new Response<>(b.value(), Response.Meta.written(a.index()));
                    }
                    throw new IllegalStateException("unexpected autopilot result " + r);
                }));
        h.write(Autopilot.Health.class, (o, ctx) -> {
            Consensus c = ctx.consensus();
            if (!c.isLeader()) {
                // The router forwards to the leader on this refusal, as for a proposal.
                return CompletableFuture.failedFuture(new NotLeaderException(c.leadership().leader()));
            }
            Map<String, Member> members = new HashMap<>();
            for (Member m : lan.members()) {
                members.put(m.name(), m);
            }
            AutopilotConfig cfg = AutopilotSettings.effective(ctx.state(), defaults);
            Autopilot.HealthReport report = rules.report(cfg, c.configuration(), c.leadership().leader()
                    .map(s -> s.id()).orElse(""), c.leadership().term(), c.appliedIndex(), c.followerProgress(),
                    members, clock.wallMillis());
            return CompletableFuture.completedFuture(new Response<>(report, Response.Meta.written(c.appliedIndex())));
        });
    }
}
