package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Autopilot;
import io.tribune.agent.rpc.internal.Wire.Shape;
import io.tribune.agent.rpc.wire.AutopilotConfiguration;
import io.tribune.agent.rpc.wire.AutopilotGetConfig;
import io.tribune.agent.rpc.wire.AutopilotHealthReport;
import io.tribune.agent.rpc.wire.AutopilotServer;
import io.tribune.agent.rpc.wire.AutopilotSetConfig;
import io.tribune.agent.rpc.wire.Call;
import io.tribune.state.AutopilotConfig;

/**
 * How the autopilot operations ({@link Autopilot}) travel between agents: {@code Call} cases
 * 130..132 and {@code Value} fields 130..131 of {@code rpc.proto} (130..139 are this area's).
 * Decoding goes through the records' constructors, so bad fields from another agent are a
 * {@code BAD_REQUEST} naming them. Stateless and thread-safe.
 */
final class AutopilotWire {
    private AutopilotWire() {
    }

    static final Shape<AutopilotConfig> CONFIG = new Shape<>((v, b) -> b.setAutopilotConfig(config(v)), x -> {
        if (!x.hasAutopilotConfig()) {
            throw new IllegalArgumentException("the answer holds no autopilot configuration");
        }
        return config(x.getAutopilotConfig());
    });

    static final Shape<Autopilot.HealthReport> HEALTH = new Shape<>((v, b) -> b.setAutopilotHealth(health(v)), x -> {
        if (!x.hasAutopilotHealth()) {
            throw new IllegalArgumentException("the answer holds no autopilot health");
        }
        return health(x.getAutopilotHealth());
    });

    /** Adds the autopilot operations to {@link Wire}'s table; called once from its initializer. */
    static void register() {
        Wire.op(Autopilot.GetConfig.class, Call.OpCase.AUTOPILOT_GET_CONFIG, c -> new Autopilot.GetConfig(), CONFIG);
        Wire.op(Autopilot.SetConfig.class, Call.OpCase.AUTOPILOT_SET_CONFIG, c -> {
            AutopilotSetConfig m = c.getAutopilotSetConfig();
            if (!m.hasConfig()) {
                throw AgentException.badRequest("an autopilot set-config holds no configuration");
            }
            return new Autopilot.SetConfig(config(m.getConfig()), m.getHasCas() ? m.getCas() : -1);
        }, Wire.BOOL);
        Wire.op(Autopilot.Health.class, Call.OpCase.AUTOPILOT_HEALTH, c -> new Autopilot.Health(), HEALTH);
    }

    static void encode(Autopilot.AutopilotOp<?> op, Call.Builder c) {
        if (op instanceof Autopilot.GetConfig) {
            c.setAutopilotGetConfig(AutopilotGetConfig.getDefaultInstance());
        } else if (op instanceof Autopilot.SetConfig o) {
            AutopilotSetConfig.Builder b = AutopilotSetConfig.newBuilder().setConfig(config(o.config()));
            if (o.cas() >= 0) {
                b.setHasCas(true).setCas(o.cas());
            }
            c.setAutopilotSetConfig(b);
        } else {
            c.setAutopilotHealth(io.tribune.agent.rpc.wire.AutopilotHealth.getDefaultInstance());
        }
    }

    static AutopilotConfiguration config(AutopilotConfig v) {
        return AutopilotConfiguration.newBuilder().setCleanupDeadServers(v.cleanupDeadServers())
                .setLastContactThresholdMillis(v.lastContactThresholdMs()).setMaxTrailingLogs(v.maxTrailingLogs())
                .setServerStabilizationMillis(v.serverStabilizationMs()).setRedundancyZoneTag(v.redundancyZoneTag())
                .setDisableUpgradeMigration(v.disableUpgradeMigration()).setUpgradeVersionTag(v.upgradeVersionTag())
                .setCreateIndex(v.createIndex()).setModifyIndex(v.modifyIndex()).build();
    }

    static AutopilotConfig config(AutopilotConfiguration m) {
        try {
            return new AutopilotConfig(m.getCleanupDeadServers(), m.getLastContactThresholdMillis(),
                    m.getMaxTrailingLogs(), m.getServerStabilizationMillis(), m.getRedundancyZoneTag(),
                    m.getDisableUpgradeMigration(), m.getUpgradeVersionTag(), m.getCreateIndex(), m.getModifyIndex());
        } catch (IllegalArgumentException e) {
            throw AgentException.badRequest(e.getMessage());
        }
    }

    static AutopilotHealthReport health(Autopilot.HealthReport v) {
        AutopilotHealthReport.Builder b = AutopilotHealthReport.newBuilder().setHealthy(v.healthy())
                .setFailureTolerance(v.failureTolerance());
        for (Autopilot.ServerHealth s : v.servers()) {
            b.addServers(AutopilotServer.newBuilder().setId(s.id()).setName(s.name()).setAddress(s.address())
                    .setSerfStatus(s.serfStatus()).setVersion(s.version()).setLeader(s.leader())
                    .setLastContactMillis(s.lastContactMillis()).setLastTerm(s.lastTerm()).setLastIndex(s.lastIndex())
                    .setHealthy(s.healthy()).setVoter(s.voter()).setStableSinceMillis(s.stableSinceMillis()));
        }
        return b.build();
    }

    static Autopilot.HealthReport health(AutopilotHealthReport m) {
        return new Autopilot.HealthReport(m.getHealthy(), m.getFailureTolerance(), Wire.map(m.getServersList(),
                s -> new Autopilot.ServerHealth(s.getId(), s.getName(), s.getAddress(), s.getSerfStatus(),
                        s.getVersion(), s.getLeader(), s.getLastContactMillis(), s.getLastTerm(), s.getLastIndex(),
                        s.getHealthy(), s.getVoter(), s.getStableSinceMillis())));
    }
}
