package io.tribune.agent.server;

import io.tribune.agent.cluster.NodeIds;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentException.Kind;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.Events;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Operator;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.Sessions;
import io.tribune.agent.rpc.SnapshotArchive;
import io.tribune.agent.rpc.Snapshots;
import io.tribune.agent.rpc.Status;
import io.tribune.agent.rpc.Txn;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.agent.rpc.internal.Handlers.WriteContext;
import io.tribune.agent.rpc.internal.RequestIds;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Membership;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.Indexed;
import io.tribune.state.Node;
import io.tribune.state.ServiceHealth;
import io.tribune.state.ServiceInstance;
import io.tribune.state.Session;
import io.tribune.state.StateStore;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The server's endpoints: how each operation on the replicated state is served once the request
 * layer has brought it to the right server (Consul's {@code agent/consul/*_endpoint.go}). Reads say
 * what a blocking query watches and read the state store; writes build state-machine commands and
 * propose them on the leader under the request's client request id; server operations answer from
 * what this server knows.
 *
 * <p>Every handler is non-blocking; errors are {@link AgentException}s.
 */
public final class ServerEndpoints {
    private static final System.Logger LOG = System.getLogger(ServerEndpoints.class.getName());
    /** How long a Raft configuration change may take to commit. */
    static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * What the endpoints need besides the request.
     *
     * @param datacenter      this server's datacenter
     * @param consensus       this server's consensus
     * @param membership      the LAN pool (user events are broadcast on it)
     * @param clock           the platform clock
     * @param scheduler       the platform scheduler
     * @param applyWait       how long a restore waits for this server to apply its commit
     * @param restoreChunk    the piece size of a snapshot restore, in bytes
     */
    public record Setup(String datacenter, Consensus consensus, Membership membership, Clock clock, Scheduler scheduler,
                        Duration applyWait, int restoreChunk, java.util.Optional<CoordinateBatcher> coordinates) {
        public Setup {
            Objects.requireNonNull(datacenter, "datacenter");
            Objects.requireNonNull(consensus, "consensus");
            Objects.requireNonNull(membership, "membership");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(applyWait, "applyWait");
            Objects.requireNonNull(coordinates, "coordinates");
        }

        /** Without a coordinate batcher: coordinate updates are then written one request at a time. */
        public Setup(String datacenter, Consensus consensus, Membership membership, Clock clock, Scheduler scheduler,
                     Duration applyWait, int restoreChunk) {
            this(datacenter, consensus, membership, clock, scheduler, applyWait, restoreChunk,
                    java.util.Optional.empty());
        }
    }

    private ServerEndpoints() {
    }

    /** Registers every server endpoint on {@code h}. */
    public static void register(Handlers h, Setup setup) {
        kv(h);
        catalog(h, setup);
        health(h);
        sessions(h);
        events(h, setup);
        coordinates(h, setup);
        status(h, setup.consensus());
        operator(h);
        snapshots(h, setup);
    }

    // ---------------------------------------------------------------- KV

    private static void kv(Handlers h) {
        h.read(Kv.Get.class, read(o -> WatchTarget.kvKey(o.key()), (o, s) -> s.kvGet(o.key())));
        h.read(Kv.Entries.class, read(o -> WatchTarget.kvPrefix(o.prefix()), (o, s) -> s.kvList(o.prefix())));
        h.read(Kv.Keys.class, read(o -> WatchTarget.kvPrefix(o.prefix()), (o, s) -> s.kvKeys(o.prefix(),
                o.separator())));
        h.write(Kv.Set.class, (o, ctx) -> bool(ctx, new Command.KvSet(o.key(), o.value(), o.flags(), o.cas())));
        h.write(Kv.Delete.class, (o, ctx) -> bool(ctx, new Command.KvDelete(o.key(), o.cas())));
        h.write(Kv.DeleteTree.class, (o, ctx) -> bool(ctx, new Command.KvDeleteTree(o.prefix())));
        h.write(Kv.Acquire.class, (o, ctx) -> bool(ctx, new Command.KvAcquire(o.key(), o.value(), o.flags(),
                o.session(), ctx.wallMillis())));
        h.write(Kv.Release.class, (o, ctx) -> bool(ctx, new Command.KvRelease(o.key(), o.value(), o.flags(),
                o.session())));
        h.write(Txn.Apply.class, (o, ctx) -> ctx.propose(new Command.KvTxn(o.ops(), ctx.wallMillis()))
                .thenApply(a -> {
                    CommandResult r = CommandResult.decode(a.result());
                    if (r instanceof CommandResult.TxnOutcome t) {
                        return new Response<>(t, Response.Meta.written(a.index()));
                    }
                    throw failure(r);
                }));
    }

    // ---------------------------------------------------------------- catalog

    private static void catalog(Handlers h, Setup setup) {
        h.write(Catalog.Register.class, (o, ctx) -> {
            Node node;
            Optional<Node> existing = o.skipNodeUpdate() ? ctx.state().node(o.node().node()).value() : Optional.empty();
            if (existing.isPresent()) {
                node = existing.get();
            } else {
                if (o.node().address().isEmpty()) {
                    throw AgentException.badRequest("Must provide address if SkipNodeUpdate is not set");
                }
                Node n = o.node();
                node = new Node(n.id(), n.node(), n.address(), setup.datacenter(), n.taggedAddresses(), n.meta(), 0, 0);
            }
            return done(ctx, new Command.Register(node, o.service(), o.checks(), ctx.wallMillis()));
        });
        h.write(Catalog.Deregister.class, (o, ctx) -> done(ctx, new Command.Deregister(o.node(), o.serviceId(),
                o.checkId(), ctx.wallMillis())));
        if (!h.has(Catalog.Datacenters.class)) {
            // A server with a WAN pool registers DatacenterList first; without one it knows only its own.
            h.server(Catalog.Datacenters.class, o -> List.of(setup.datacenter()));
        }
        h.read(Catalog.Nodes.class, read(o -> WatchTarget.table(Table.NODES), (o, s) -> s.nodes(o.nodeMeta())));
        h.read(Catalog.Services.class, read(o -> WatchTarget.table(Table.SERVICES),
                (o, s) -> s.services(o.nodeMeta())));
        h.read(Catalog.ServiceNodes.class, read(o -> new WatchTarget.Service(o.service()), (o, s) -> {
            Indexed<List<ServiceInstance>> r = s.serviceInstances(o.service(), o.tags().isEmpty() ? null
                    : o.tags().get(0), o.nodeMeta());
            if (o.tags().size() <= 1) {
                return r;
            }
            List<ServiceInstance> out = new ArrayList<>();
            for (ServiceInstance i : r.value()) {
                if (i.service().tags().containsAll(o.tags())) {
                    out.add(i);
                }
            }
            return new Indexed<>(r.index(), out);
        }));
        h.read(Catalog.ServicesOfNode.class, read(o -> new WatchTarget.Node(o.node()),
                (o, s) -> s.nodeServices(o.node())));
    }

    // ---------------------------------------------------------------- health

    private static void health(Handlers h) {
        h.read(Health.NodeChecks.class, read(o -> new WatchTarget.Node(o.node()), (o, s) -> s.nodeChecks(o.node())));
        h.read(Health.ServiceChecks.class, read(o -> new WatchTarget.Service(o.service()),
                (o, s) -> withNodeMeta(s, s.serviceChecks(o.service()), o.nodeMeta())));
        h.read(Health.ChecksInState.class, read(o -> WatchTarget.table(Table.CHECKS),
                (o, s) -> withNodeMeta(s, s.checksInState(o.status()), o.nodeMeta())));
        h.read(Health.ServiceNodes.class, read(o -> new WatchTarget.Service(o.service()), (o, s) -> {
            Indexed<List<ServiceHealth>> r = s.serviceHealth(o.service(), o.tags().isEmpty() ? null
                    : o.tags().get(0), o.passingOnly(), o.nodeMeta());
            if (o.tags().size() <= 1) {
                return r;
            }
            List<ServiceHealth> out = new ArrayList<>();
            r.value().stream().filter(x -> x.service().tags().containsAll(o.tags())).forEach(out::add);
            return new Indexed<>(r.index(), out);
        }));
    }

    /** Keeps the checks whose node's meta contains every pair of {@code meta}. */
    private static Indexed<List<HealthCheck>> withNodeMeta(StateStore state, Indexed<List<HealthCheck>> r,
                                                           Map<String, String> meta) {
        if (meta.isEmpty()) {
            return r;
        }
        List<HealthCheck> out = new ArrayList<>();
        for (HealthCheck c : r.value()) {
            Optional<Node> n = state.node(c.node()).value();
            if (n.isPresent() && n.get().matchesMeta(meta)) {
                out.add(c);
            }
        }
        return new Indexed<>(r.index(), out);
    }

    // ---------------------------------------------------------------- sessions

    private static void sessions(Handlers h) {
        h.write(Sessions.Create.class, (o, ctx) -> {
            // Consul's default node is the agent the caller talks to, also when a server serves it.
            String node = o.node().isEmpty() ? ctx.originNode() : o.node();
            List<String> checks = o.nodeChecks().orElse(List.of(HealthCheck.SERF_HEALTH));
            // From the request id: a retry of this request (its reply lost, sent again to another
            // server) names the same session, and the state machine answers it with the first result.
            String id = RequestIds.uuid(ctx.requestId(), "session");
            Session s = new Session(id, o.name(), node, o.lockDelay().toMillis(), o.behavior(), o.ttl().toMillis(),
                    checks, ctx.wallMillis(), 0, 0);
            return ctx.propose(new Command.SessionCreate(s)).thenApply(a -> {
                CommandResult r = CommandResult.decode(a.result());
                if (r instanceof CommandResult.Failed f && f.kind() == CommandResult.Failed.Kind.NOT_FOUND) {
                    // A node or check the session names is missing: the request conflicts with the
                    // catalog (Consul answers 500), it does not name a missing session.
                    throw new AgentException(Kind.CONFLICT, f.message());
                }
                if (r instanceof CommandResult.Failed) {
                    throw failure(r);
                }
                return new Response<>(id, Response.Meta.written(a.index()));
            });
        });
        // Answers whether the session existed.
        h.write(Sessions.Destroy.class, (o, ctx) -> bool(ctx, new Command.SessionDestroy(o.id(), ctx.wallMillis())));
        h.write(Sessions.Renew.class, (o, ctx) -> ctx.propose(new Command.SessionRenew(o.id(), ctx.wallMillis()))
                .thenApply(a -> {
                    CommandResult r = CommandResult.decode(a.result());
                    if (r instanceof CommandResult.Failed f && f.kind() == CommandResult.Failed.Kind.NOT_FOUND) {
                        return new Response<>(Optional.<Session>empty(), Response.Meta.written(a.index()));
                    }
                    if (r instanceof CommandResult.Failed) {
                        throw failure(r);
                    }
                    // On the leader, the renewal is applied once its proposal completes.
                    StateStore s = ctx.state();
                    return new Response<>(s.session(o.id()).value(),
                            Response.Meta.written(Math.max(a.index(), s.tableIndex(Table.SESSIONS))));
                }));
        h.read(Sessions.Info.class, read(o -> WatchTarget.table(Table.SESSIONS), (o, s) -> s.session(o.id())));
        h.read(Sessions.OfNode.class, read(o -> WatchTarget.table(Table.SESSIONS), (o, s) -> s.nodeSessions(o.node())));
        h.read(Sessions.All.class, read(o -> WatchTarget.table(Table.SESSIONS), (o, s) -> s.sessions()));
    }

    // ---------------------------------------------------------------- events

    private static void events(Handlers h, Setup setup) {
        h.write(Events.Fire.class, (o, ctx) -> {
            // From the request id: a retry of the request names the same event, which the state machine
            // then answers as the first time instead of recording it twice.
            String id = RequestIds.uuid(ctx.requestId(), "event");
            EventRecord event = new EventRecord(id, o.name(), o.payload(), o.nodeFilter(), o.serviceFilter(),
                    o.tagFilter(), 0);
            return ctx.propose(new Command.EventFire(event)).thenApply(a -> {
                CommandResult r = CommandResult.decode(a.result());
                if (r instanceof CommandResult.Failed) {
                    throw failure(r);
                }
                // The store set LTime to the raft index that recorded it; answer with what it keeps.
                EventRecord recorded = ctx.state().events(o.name()).value().stream()
                        .filter(e -> e.id().equals(id)).findFirst().orElse(event);
                broadcast(setup.membership(), recorded);
                return new Response<>(recorded, Response.Meta.written(a.index()));
            });
        });
        h.read(Events.Named.class, read(o -> WatchTarget.table(Table.EVENTS), (o, s) -> s.events(o.name())));
    }

    /** Gossip delivery is best effort: the event is already recorded, so a failed broadcast is logged only. */
    private static void broadcast(Membership membership, EventRecord e) {
        try {
            membership.broadcast(e.name(), e.payload(), false).whenComplete((x, err) -> {
                if (err != null) {
                    LOG.log(System.Logger.Level.WARNING, "broadcasting user event " + e.name() + " failed: " + err);
                }
            });
        } catch (RuntimeException err) {
            LOG.log(System.Logger.Level.WARNING, "broadcasting user event " + e.name() + " failed: " + err);
        }
    }

    // ---------------------------------------------------------------- coordinates

    private static void coordinates(Handlers h, Setup setup) {
        h.read(Coordinates.Nodes.class, read(o -> WatchTarget.table(Table.COORDINATES), (o, s) -> s.coordinates()));
        h.read(Coordinates.OfNode.class, read(o -> WatchTarget.table(Table.COORDINATES),
                (o, s) -> s.nodeCoordinates(o.node())));
        if (setup.coordinates().isPresent()) {
            // The leader queues and writes in batches every period (Consul's Coordinate.Update), so
            // the answer comes at once, with the index applied so far.
            CoordinateBatcher batcher = setup.coordinates().get();
            h.write(Coordinates.Update.class, (o, ctx) -> {
                if (!ctx.consensus().isLeader()) {
                    return CompletableFuture.failedFuture(new io.tribune.api.consensus.NotLeaderException(
                            java.util.Optional.empty()));
                }
                batcher.offer(o, ctx.state());
                return CompletableFuture.completedFuture(new Response<>(true,
                        Response.Meta.written(ctx.consensus().appliedIndex())));
            });
        } else {
            h.write(Coordinates.Update.class, (o, ctx) -> done(ctx, new Command.CoordinateUpdate(o.coordinates())));
        }
    }

    // ---------------------------------------------------------------- status and operator

    private static void status(Handlers h, Consensus c) {
        // Consul's answer: the leader's server RPC address, or "" when none is known.
        h.server(Status.Leader.class, o -> c.leadership().leader().map(l -> l.endpoint().toString()).orElse(""));
        h.server(Status.Peers.class, o -> {
            List<String> out = new ArrayList<>();
            for (ServerInfo s : c.configuration()) {
                if (s.voter()) {
                    out.add(s.endpoint().toString());
                }
            }
            return out;
        });
    }

    private static void operator(Handlers h) {
        h.read(Operator.RaftConfiguration.class, new Handlers.ReadHandler<>() {
            @Override
            public Optional<WatchTarget> target(Operator.RaftConfiguration op) {
                return Optional.empty();
            }

            @Override
            public Indexed<Operator.RaftServers> read(Operator.RaftConfiguration op, StateStore state, Consensus c,
                                                      long barrierIndex) {
                return new Indexed<>(barrierIndex, raftServers(c, state));
            }
        });
        h.write(Operator.RaftRemovePeer.class, (o, ctx) -> {
            Consensus c = ctx.consensus();
            ServerInfo target = find(c.configuration(), ctx.state(), o.id(), o.address()).orElseThrow(() -> AgentException.badRequest(
                    (o.id().isPresent() ? "id \"" + abbreviate(o.id().get()) : "address \""
                            + abbreviate(o.address().orElseThrow())) + "\" was not found in the Raft configuration"));
            return c.removeServer(target.id(), CHANGE_TIMEOUT)
                    .thenApply(v -> new Response<>(true, Response.Meta.written(c.appliedIndex())));
        });
    }

    /** The Raft configuration {@code c} knows, with the leader marked and each server's node ID. */
    public static Operator.RaftServers raftServers(Consensus c, StateStore state) {
        Optional<String> leaderId = c.leadership().leader().map(ServerInfo::id);
        List<Operator.RaftServer> servers = new ArrayList<>();
        for (ServerInfo s : c.configuration()) {
            servers.add(new Operator.RaftServer(s.id(), nodeId(state, s.id()), s.endpoint().toString(),
                    leaderId.map(s.id()::equals).orElse(false), s.voter()));
        }
        return new Operator.RaftServers(servers, c.leadership().term());
    }

    /**
     * The node ID of the server whose Raft ID is {@code name} (its node name): the ID its node is
     * registered under in the catalog (its agent's {@code node_id}), else the one derived from the name.
     */
    static String nodeId(StateStore state, String name) {
        return state.node(name).value().map(Node::id).filter(id -> !id.isEmpty()).orElseGet(() -> NodeIds.of(name));
    }

    /** The server named by {@code id} (its node name or node ID) or by {@code address} ("host:port"). */
    static Optional<ServerInfo> find(List<ServerInfo> config, StateStore state, Optional<String> id,
            Optional<String> address) {
        for (ServerInfo s : config) {
            if (id.isPresent() && (s.id().equals(id.get()) || nodeId(state, s.id()).equalsIgnoreCase(id.get()))) {
                return Optional.of(s);
            }
            if (address.isPresent() && s.endpoint().toString().equals(address.get())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- snapshots

    private static void snapshots(Handlers h, Setup setup) {
        h.read(Snapshots.Save.class, new Handlers.ReadHandler<>() {
            @Override
            public Optional<WatchTarget> target(Snapshots.Save op) {
                return Optional.empty();
            }

            @Override
            public Indexed<byte[]> read(Snapshots.Save op, StateStore state, Consensus c, long barrierIndex) {
                // The capture is O(1); the write-out below may overlap later applies, which it does not see.
                long index = state.lastIndex();
                var snap = state.snapshot();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try {
                    snap.writeTo(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    snap.release();
                }
                // release (issue 16): Consul's archive layout around the state file (SnapshotArchive).
                byte[] stateFile = out.toByteArray();
                long now = setup.clock().wallMillis();
                SnapshotArchive.Meta meta = SnapshotArchive.Meta.of(stateFile.length, index, c.leadership().term(), now);
                return new Indexed<>(index, SnapshotArchive.write(meta, stateFile, now));
            }

            @Override
            public boolean heavy() {
                return true;
            }
        });
        h.write(Snapshots.Restore.class, (o, ctx) -> CompletableFuture.supplyAsync(() -> {
            // Verifies everything before proposing anything: a bad snapshot changes nothing.
            byte[] state = Snapshots.stateOf(o.snapshot());
            try {
                StateStore.verifySnapshot(state);
            } catch (IOException e) {
                throw AgentException.badRequest("invalid snapshot: " + e.getMessage());
            }
            return state;
        }, setup.scheduler()).thenCompose(state -> {
            SnapshotRestore restore = new SnapshotRestore(ctx::propose, ctx.state()::lastIndex, setup.clock(),
                    setup.scheduler(), setup.applyWait());
            // One request id for the whole restore, the same on every attempt and every server that
            // serves it: a retry after a lost reply does not restore twice.
            return restore.run(ctx.requestId(), state, setup.restoreChunk());
        }).thenApply(index -> new Response<>(true, Response.Meta.written(index))));
    }

    // ---------------------------------------------------------------- helpers

    /** A read handler from a watch target and a read of the state store. */
    static <O extends io.tribune.agent.rpc.Op.Read<R>, R> Handlers.ReadHandler<O, R> read(
            Function<O, WatchTarget> target, java.util.function.BiFunction<O, StateStore, Indexed<R>> read) {
        return new Handlers.ReadHandler<>() {
            @Override
            public Optional<WatchTarget> target(O op) {
                return Optional.of(target.apply(op));
            }

            @Override
            public Indexed<R> read(O op, StateStore state, Consensus consensus, long barrierIndex) {
                return read.apply(op, state);
            }
        };
    }

    /** Proposes {@code cmd}; a {@code Bool} result is the answer, a failure an error. */
    private static CompletableFuture<Response<Boolean>> bool(WriteContext ctx, Command cmd) {
        return ctx.propose(cmd).thenApply(a -> {
            CommandResult r = CommandResult.decode(a.result());
            if (r instanceof CommandResult.Bool b) {
                return new Response<>(b.value(), Response.Meta.written(a.index()));
            }
            throw failure(r);
        });
    }

    /** Proposes {@code cmd}; success ({@code Done}, {@code true}, a count) answers {@code true}, a failure an error. */
    private static CompletableFuture<Response<Boolean>> done(WriteContext ctx, Command cmd) {
        return ctx.propose(cmd).thenApply(a -> {
            CommandResult r = CommandResult.decode(a.result());
            if (r instanceof CommandResult.Done || r instanceof CommandResult.Bool b && b.value()
                    || r instanceof CommandResult.Count) {
                return new Response<>(true, Response.Meta.written(a.index()));
            }
            throw failure(r);
        });
    }

    /** A state machine's refusal as the request layer's error. */
    static AgentException failure(CommandResult r) {
        if (r instanceof CommandResult.Failed f) {
            return new AgentException(switch (f.kind()) {
                case INVALID -> Kind.BAD_REQUEST;
                case NOT_FOUND -> Kind.NOT_FOUND;
                case REJECTED -> Kind.CONFLICT;
                case INTERNAL -> Kind.INTERNAL;
            }, f.message());
        }
        return new AgentException(Kind.INTERNAL, "unexpected result " + r);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

}
