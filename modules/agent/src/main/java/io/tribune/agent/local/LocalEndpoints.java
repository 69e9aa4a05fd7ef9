package io.tribune.agent.local;

import io.tribune.agent.cluster.ClusterKeyring;
import io.tribune.agent.cluster.KeyringResult;
import io.tribune.agent.cluster.ServerTags;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentException.Kind;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.rpc.CheckType;
import io.tribune.agent.rpc.Operator;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.api.membership.Membership;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.NodeService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's own endpoints (Consul's {@code /v1/agent/*} and the keyring): how each agent operation
 * runs on the agent that received it, over its local state, its gossip pools and its keyring.
 */
public final class LocalEndpoints {
    /** obs: joins are logged as Consul logs them ({@code (LAN) joining: ...}, {@code (LAN) joined: N}). */
    private static final System.Logger LOG = System.getLogger(LocalEndpoints.class.getName());
    /** How long a join may take before the caller gets an error. */
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);
    /** The check id that puts the node in maintenance (Consul's). */
    public static final String NODE_MAINTENANCE = "_node_maintenance";
    /** The prefix of the check id that puts a service in maintenance (Consul's). */
    public static final String SERVICE_MAINTENANCE_PREFIX = "_service_maintenance:";

    /**
     * What the agent endpoints need.
     *
     * @param nodeName         this agent's node name
     * @param local            its local state
     * @param lan              its LAN pool
     * @param wan              its WAN pool, on servers that have one
     * @param keyring          gossip keyring operations on every member
     * @param membershipPlugin the name of the membership plugin (for messages)
     * @param self             what {@code /v1/agent/self} shows, made on demand
     * @param leave            leaves gracefully and shuts the agent down, without waiting
     */
    public record Setup(String nodeName, LocalState local, Membership lan, Optional<Membership> wan,
                        ClusterKeyring keyring, String membershipPlugin, Supplier<AgentOps.Info> self, Runnable leave) {
        public Setup {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(local, "local");
            Objects.requireNonNull(lan, "lan");
            Objects.requireNonNull(wan, "wan");
            Objects.requireNonNull(keyring, "keyring");
            Objects.requireNonNull(membershipPlugin, "membershipPlugin");
            Objects.requireNonNull(self, "self");
            Objects.requireNonNull(leave, "leave");
        }
    }

    private LocalEndpoints() {
    }

    /** Registers every agent operation on {@code h}. */
    public static void register(Handlers h, Setup s) {
        LocalState local = s.local();
        h.local(AgentOps.Self.class, (o, opt) -> CompletableFuture.completedFuture(s.self().get()));
        h.local(AgentOps.Members.class, (o, opt) -> {
            Membership pool = o.wan() ? s.wan().orElseThrow(() -> new AgentException(Kind.CONFLICT,
                    "WAN members are known only to servers: this agent has no WAN pool (only servers outside -dev mode "
                    + "join one)")) : s.lan();
            return CompletableFuture.completedFuture(pool.members());
        });
        h.local(AgentOps.Services.class, (o, opt) -> CompletableFuture.completedFuture(local.services()));
        h.local(AgentOps.LocalChecks.class, (o, opt) -> {
            Map<String, NodeService> services = new LinkedHashMap<>();
            local.services().forEach(x -> services.put(x.id(), x));
            List<HealthCheck> out = local.checks().stream().map(c -> {
                NodeService svc = services.get(c.serviceId());
                return svc == null ? c : c.withService(svc.service(), svc.tags());
            }).toList();
            return CompletableFuture.completedFuture(out);
        });
        h.local(AgentOps.RegisterService.class, (o, opt) -> ok(local.addService(o.definition())));
        h.local(AgentOps.DeregisterService.class, (o, opt) -> ok(local.removeService(o.id())));
        h.local(AgentOps.RegisterCheck.class, (o, opt) -> {
            AgentOps.CheckDefinition d = o.definition();
            return ok(local.addCheck(d.check(), d.type()));
        });
        h.local(AgentOps.DeregisterCheck.class, (o, opt) -> ok(local.removeCheck(o.id())));
        h.local(AgentOps.UpdateTtl.class, (o, opt) -> ok(local.updateTtl(o.id(), o.status(), o.output())));
        h.local(AgentOps.NodeMaintenance.class, (o, opt) -> {
            if (o.enable()) {
                HealthCheck hc = new HealthCheck(s.nodeName(), NODE_MAINTENANCE, "Node Maintenance Mode",
                        HealthStatus.CRITICAL, o.reason().isEmpty() ? "Maintenance mode is enabled for this node"
                        : o.reason(), "", "", "", List.of(), "maintenance", 0, 0);
                return ok(local.addCheck(hc, CheckType.NONE));
            }
            return ok(local.check(NODE_MAINTENANCE).isPresent() ? local.removeCheck(NODE_MAINTENANCE)
                    : CompletableFuture.completedFuture(null));
        });
        h.local(AgentOps.ServiceMaintenance.class, (o, opt) -> {
            if (!local.hasService(o.id())) {
                throw AgentException.notFound("Unknown service ID \"" + CheckDefinitions.abbreviate(o.id()) + "\"");
            }
            String checkId = SERVICE_MAINTENANCE_PREFIX + o.id();
            if (o.enable()) {
                HealthCheck hc = new HealthCheck(s.nodeName(), checkId, "Service Maintenance Mode",
                        HealthStatus.CRITICAL, o.reason().isEmpty() ? "Maintenance mode is enabled for this service"
                        : o.reason(), "", o.id(), "", List.of(), "maintenance", 0, 0);
                return ok(local.addCheck(hc, CheckType.NONE));
            }
            return ok(local.check(checkId).isPresent() ? local.removeCheck(checkId)
                    : CompletableFuture.completedFuture(null));
        });
        h.local(AgentOps.Join.class, (o, opt) -> {
            Membership pool = o.wan() ? s.wan().orElseThrow(() -> new AgentException(Kind.CONFLICT,
                    "Must be a server to join the WAN pool: this agent has no WAN pool (only servers outside -dev mode "
                    + "join one)")) : s.lan();
            String poolName = o.wan() ? "(WAN)" : "(LAN)";
            LOG.log(System.Logger.Level.INFO, "{0} joining: {1}", poolName, o.address());
            return pool.join(List.of(o.address())).orTimeout(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((n, e) -> {
                        if (e == null) {
                            LOG.log(System.Logger.Level.INFO, "{0} joined: number_of_nodes={1}", poolName, n);
                        }
                        if (e != null) {
                            throw new AgentException(Kind.INTERNAL, "Failed to join " + o.address() + ": "
                                    + rootMessage(e));
                        }
                        return n;
                    });
        });
        h.local(AgentOps.ForceLeave.class, (o, opt) -> forceLeave(s, o));
        h.local(AgentOps.Leave.class, (o, opt) -> {
            s.leave().run();
            return CompletableFuture.completedFuture(true);
        });
        h.local(Operator.Keyring.class, (o, opt) -> keyring(s, o));
    }

    /**
     * Force-leave in the pools that list the member: the LAN pool by its name; on a server also the
     * WAN pool, by the name given or by its WAN name {@code <node>.<dc>}; with {@code wan} only the
     * WAN pool. A name no pool lists is a success that changes nothing, as in Consul.
     */
    private static CompletableFuture<Boolean> forceLeave(Setup s, AgentOps.ForceLeave o) {
        if (o.wan() && s.wan().isEmpty()) {
            throw new AgentException(Kind.CONFLICT, "Must be a server to force-leave a member of the WAN pool: this "
                    + "agent has no WAN pool");
        }
        Optional<String> wanName = s.wan().flatMap(w -> wanName(w, s.lan(), o.node()));
        boolean inLan = !o.wan() && s.lan().members().stream().anyMatch(m -> m.name().equals(o.node()));
        if (!inLan && wanName.isEmpty()) {
            // Consul (Serf's RemoveFailedNode) answers success for a name no pool knows; scripts that
            // force-leave a list of nodes rely on it. Nothing changes.
            return CompletableFuture.completedFuture(true);
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        if (inLan || (!o.wan() && wanName.isEmpty())) {
            done.add(s.lan().forceLeave(o.node(), o.prune()));
        }
        if (wanName.isPresent()) {
            done.add(s.wan().get().forceLeave(wanName.get(), o.prune()));
        } else if (o.wan()) {
            done.add(s.wan().get().forceLeave(o.node(), o.prune()));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).handle((n, e) -> {
            if (e != null) {
                throw new AgentException(Kind.INTERNAL, "Failed to force-leave " + o.node() + ": " + rootMessage(e));
            }
            return true;
        });
    }

    /** The WAN pool's name of {@code node}: itself when the pool lists it, else {@code node.<this dc>} if listed. */
    private static Optional<String> wanName(Membership wan, Membership lan, String node) {
        String dc = String.valueOf(lan.localMember().tag(ServerTags.DC));
        for (String candidate : List.of(node, node + "." + dc)) {
            if (wan.members().stream().anyMatch(m -> m.name().equals(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static CompletableFuture<KeyringResult> keyring(Setup s, Operator.Keyring o) {
        if (s.lan().keyring().isEmpty()) {
            // Consul's status (500) and words, so that scripts matching them work; then why, here.
            throw new AgentException(Kind.INTERNAL, "Keyring is empty (encryption not enabled): the membership plugin '"
                    + s.membershipPlugin() + "' has no keyring (use gossip-swim with an encryption key)");
        }
        ClusterKeyring.KeyringRequest r = new ClusterKeyring.KeyringRequest(o.verb(), o.key());
        return o.localOnly() ? CompletableFuture.completedFuture(s.keyring().onThisAgent(r))
                : s.keyring().onEveryMember(r);
    }

    /**
     * The answer to a change of the local state once its catalog write is done. A write the catalog
     * refuses for the agent's own token (ACLs, PERMISSION_DENIED) still answers success, as Consul
     * does: the caller's token was allowed the change (checked before this handler runs), the entry
     * stays in the local state, and anti-entropy writes it once the agent's token allows (a WARN line
     * says so). Answering an error while keeping the entry would leave caller and agent disagreeing.
     */
    private static CompletableFuture<Boolean> ok(CompletableFuture<Void> write) {
        return write.handle((x, e) -> {
            if (e == null) {
                return true;
            }
            Throwable root = e;
            while ((root instanceof java.util.concurrent.CompletionException
                    || root instanceof java.util.concurrent.ExecutionException) && root.getCause() != null) {
                root = root.getCause();
            }
            if (root instanceof AgentException a && a.kind() == Kind.PERMISSION_DENIED) {
                LOG.log(System.Logger.Level.WARNING, "catalog write blocked by ACLs (" + a.getMessage() + "): kept in "
                        + "the agent's local state; anti-entropy retries with the agent's token (acl.tokens.agent)");
                return true;
            }
            throw e instanceof java.util.concurrent.CompletionException ce ? ce
                    : new java.util.concurrent.CompletionException(e);
        });
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
