package io.tribune.agent.acl;

import io.tribune.acl.Builtins;
import io.tribune.acl.Rules;
import io.tribune.acl.RulesException;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentException.Kind;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.agent.rpc.internal.Handlers.WriteContext;
import io.tribune.agent.rpc.internal.RequestIds;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.Indexed;
import io.tribune.state.StateStore;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import java.util.function.Function;

/**
 * The server's ACL endpoints (Consul's {@code agent/consul/acl_endpoint.go}): policy and token
 * reads and writes, the bootstrap with its reset file, the legacy token API, and the resolution
 * of tokens for client agents; plus the two agent operations (rules translation, the agent's
 * tokens), which every agent serves.
 *
 * <p><b>Identifiers.</b> AccessorIDs and policy IDs are derived from the request id, so that a
 * retried write names the same object; SecretIDs are drawn from a {@link SecureRandom} (never
 * derivable), and a retry answers with the secret the state machine stored the first time.
 *
 * <p><b>Secondary datacenters.</b> Where another datacenter is the primary, the writes of global
 * objects (policies, the bootstrap, tokens that are not local here, the legacy token API) are sent
 * to the primary as they are ({@link WriteContext#forwardTo}) and come back with replication; local
 * tokens are written here. {@link Acl.ReplicationStatus} is answered by the leader.
 *
 * <p>With ACLs disabled every endpoint answers Consul's "ACL support disabled"
 * ({@link Kind#UNSUPPORTED}). Handlers are non-blocking; errors are {@link AgentException}s.
 */
public final class AclEndpoints {
    private static final System.Logger LOG = System.getLogger(AclEndpoints.class.getName());
    /** The file of Consul's bootstrap reset procedure, in the data directory. */
    public static final String RESET_FILE = "acl-bootstrap-reset";
    /** Consul's answer while ACLs are off. */
    public static final String DISABLED = "ACL support disabled";

    private static final SecureRandom SECRETS = new SecureRandom();

    private AclEndpoints() {
    }

    /**
     * Registers the server endpoints.
     *
     * @param dataDir     where the reset file is looked for; empty in dev mode (no reset)
     * @param primary     the primary datacenter when this one is a secondary (global ACL writes are
     *                    sent there, as Consul does); empty in the primary or without one configured
     * @param replication the replication status of this server (asked on the leader only)
     */
    public static void registerServer(Handlers h, AclSettings settings, AclResolver resolver, Optional<Path> dataDir,
                                      Optional<String> primary, Supplier<Acl.Replication> replication) {
        Guard g = new Guard(settings.enabled(), primary);
        h.read(Acl.ReplicationStatus.class, new Handlers.ReadHandler<>() {
            @Override
            public Optional<WatchTarget> target(Acl.ReplicationStatus op) {
                return Optional.empty();
            }

            @Override
            public Indexed<Acl.Replication> read(Acl.ReplicationStatus op, StateStore state, Consensus consensus,
                                                 long barrierIndex) {
                if (!consensus.isLeader()) {
                    // Only the leader replicates: the router sends the question there.
                    throw new NotLeaderException(consensus.leadership().leader());
                }
                return new Indexed<>(Math.max(1, barrierIndex), replication.get());
            }
        });
        h.read(Acl.PolicyRead.class, g.read(Table.ACL_POLICIES, (o, s) -> s.aclPolicy(o.id())));
        h.read(Acl.PolicyList.class, g.read(Table.ACL_POLICIES, (o, s) -> s.aclPolicies()));
        h.read(Acl.TokenRead.class, g.read(Table.ACL_TOKENS, (o, s) -> info(s, s.aclToken(o.accessorId()))));
        h.read(Acl.TokenSelf.class, g.read(Table.ACL_TOKENS, (o, s) -> {
            Indexed<Optional<Acl.TokenInfo>> t = info(s, s.aclTokenBySecret(resolver.effective(o.secretId())));
            if (t.value().isEmpty()) {
                throw new AgentException(Kind.PERMISSION_DENIED, AclResolver.NOT_FOUND);
            }
            return t;
        }));
        h.read(Acl.TokenList.class, g.read(Table.ACL_TOKENS, (o, s) -> {
            Indexed<List<AclToken>> all = s.aclTokens();
            List<Acl.TokenInfo> out = new ArrayList<>();
            all.value().forEach(t -> out.add(info(s, t)));
            return new Indexed<>(all.index(), out);
        }));
        h.read(Acl.LegacyInfo.class, g.read(Table.ACL_TOKENS, (o, s) -> info(s, s.aclTokenBySecret(o.secretId()))));
        h.read(Acl.Resolve.class, g.read(Table.ACL_TOKENS, (o, s) -> new Indexed<>(
                Math.max(1, s.tableIndex(Table.ACL_TOKENS)), resolver.identify(o.secretId()))));

        h.write(Acl.Bootstrap.class, g.global((o, s) -> true, (o, ctx) -> bootstrap(ctx, dataDir)));
        h.write(Acl.PolicyWrite.class, g.global((o, s) -> true, AclEndpoints::policyWrite));
        h.write(Acl.PolicyDelete.class, g.global((o, s) -> true, (o, ctx) -> {
            if (o.id().equals(Builtins.GLOBAL_MANAGEMENT_ID)) {
                throw AgentException.badRequest("Delete of the builtin global-management policy is not permitted");
            }
            return propose(ctx, new Command.AclPolicyDelete(o.id())).thenApply(a -> new Response<>(true,
                    Response.Meta.written(a.index())));
        }));
        // Local tokens are made and changed in their own datacenter; everything else in the primary.
        h.write(Acl.TokenWrite.class, g.global((o, s) -> o.accessorId().isEmpty() ? !o.local()
                : !isLocal(s.aclToken(o.accessorId()).value()), AclEndpoints::tokenWrite));
        h.write(Acl.TokenClone.class, g.global((o, s) -> !isLocal(s.aclToken(o.accessorId()).value()), (o, ctx) -> {
            AclToken src = ctx.state().aclToken(o.accessorId()).value()
                    .orElseThrow(() -> AgentException.notFound("Token not found"));
            if (src.accessorId().equals(Builtins.ANONYMOUS_ACCESSOR_ID)) {
                throw AgentException.badRequest("Cannot clone the anonymous token");
            }
            String accessor = RequestIds.uuid(ctx.requestId(), "acl-token");
            AclToken t = new AclToken(accessor, newSecret(), o.description().isEmpty() ? src.description()
                    : o.description(), src.policyIds(), src.local(), ctx.wallMillis(), "", src.legacyType(),
                    src.legacyRules(), 0, 0);
            return storeToken(ctx, t);
        }));
        h.write(Acl.TokenDelete.class, g.global((o, s) -> !isLocal(s.aclToken(o.accessorId()).value()), (o, ctx) -> {
            if (o.accessorId().equals(Builtins.ANONYMOUS_ACCESSOR_ID)) {
                throw AgentException.badRequest("Delete of the anonymous token is not permitted");
            }
            return propose(ctx, new Command.AclTokenDelete(o.accessorId())).thenApply(a -> new Response<>(true,
                    Response.Meta.written(a.index())));
        }));
        h.write(Acl.LegacyWrite.class, g.global((o, s) -> !isLocal(s.aclTokenBySecret(o.secretId()).value()),
                AclEndpoints::legacyWrite));
        h.write(Acl.LegacyDestroy.class, g.global((o, s) -> !isLocal(s.aclTokenBySecret(o.secretId()).value()),
                (o, ctx) -> {
            Optional<AclToken> t = ctx.state().aclTokenBySecret(o.secretId()).value();
            if (t.isEmpty()) {
                return CompletableFuture.completedFuture(new Response<>(true, Response.Meta.written(
                        Math.max(1, ctx.state().tableIndex(Table.ACL_TOKENS)))));
            }
            if (t.get().accessorId().equals(Builtins.ANONYMOUS_ACCESSOR_ID)) {
                throw AgentException.badRequest("Delete of the anonymous token is not permitted");
            }
            return propose(ctx, new Command.AclTokenDelete(t.get().accessorId())).thenApply(a -> new Response<>(true,
                    Response.Meta.written(a.index())));
        }));
        h.write(Acl.LegacyClone.class, g.global((o, s) -> !isLocal(s.aclTokenBySecret(o.secretId()).value()),
                (o, ctx) -> {
            AclToken src = ctx.state().aclTokenBySecret(o.secretId()).value()
                    .orElseThrow(() -> AgentException.notFound("ACL not found"));
            String accessor = RequestIds.uuid(ctx.requestId(), "acl-token");
            AclToken t = new AclToken(accessor, newSecret(), src.description(), src.policyIds(), src.local(),
                    ctx.wallMillis(), "", src.legacy() ? src.legacyType() : "client", src.legacyRules(), 0, 0);
            return storeToken(ctx, t).thenApply(r -> new Response<>(r.value().token().secretId(), r.meta()));
        }));
    }

    /** Registers the agent operations (every agent). */
    public static void registerLocal(Handlers h, AclSettings settings, AgentTokens tokens) {
        h.local(Acl.TranslateRules.class, (o, options) -> {
            try {
                return CompletableFuture.completedFuture(Rules.parseLegacy(o.rules()).toHcl());
            } catch (RulesException e) {
                return CompletableFuture.failedFuture(AgentException.badRequest(e.getMessage()));
            }
        });
        h.local(Acl.SetAgentToken.class, (o, options) -> {
            if (!settings.enabled()) {
                return CompletableFuture.failedFuture(new AgentException(Kind.UNSUPPORTED, DISABLED));
            }
            tokens.set(o.kind(), o.token());
            LOG.log(System.Logger.Level.INFO, "the agent''s {0} token was updated", o.kind());
            return CompletableFuture.completedFuture(true);
        });
    }

    // ------------------------------------------------------------------ writes

    private static CompletableFuture<Response<Acl.TokenInfo>> bootstrap(WriteContext ctx, Optional<Path> dataDir) {
        long resetIndex = readResetIndex(dataDir);
        String accessor = RequestIds.uuid(ctx.requestId(), "acl-bootstrap");
        AclToken t = new AclToken(accessor, newSecret(), "Bootstrap Token (Global Management)",
                List.of(Builtins.GLOBAL_MANAGEMENT_ID), false, ctx.wallMillis(), "", "", "", 0, 0);
        t = withHash(t);
        AclToken token = t;
        // The built-ins first (a no-op once they exist): the bootstrap token links global-management.
        return ctx.propose(init(ctx.wallMillis()), RequestIds.derive(ctx.requestId(), "acl-init"))
                .thenCompose(x -> ctx.propose(new Command.AclBootstrap(token, resetIndex)))
                .thenApply(a -> {
                    CommandResult r = CommandResult.decode(a.result());
                    if (r instanceof CommandResult.Failed f) {
                        throw f.kind() == CommandResult.Failed.Kind.REJECTED
                                ? new AgentException(Kind.PERMISSION_DENIED, f.message()) : failure(r);
                    }
                    dataDir.ifPresent(d -> {
                        try {
                            Files.deleteIfExists(d.resolve(RESET_FILE));
                        } catch (IOException e) {
                            LOG.log(System.Logger.Level.WARNING, "cannot remove " + d.resolve(RESET_FILE) + ": " + e);
                        }
                    });
                    LOG.log(System.Logger.Level.INFO, "ACL system bootstrapped at index {0}", a.index());
                    return new Response<>(stored(ctx.state(), accessor), Response.Meta.written(a.index()));
                });
    }

    /**
     * The reset index in the data directory's {@code acl-bootstrap-reset} file, 0 when there is none.
     *
     * @throws AgentException BAD_REQUEST when the file holds no number
     */
    static long readResetIndex(Optional<Path> dataDir) {
        if (dataDir.isEmpty()) {
            return 0;
        }
        Path f = dataDir.get().resolve(RESET_FILE);
        if (!Files.isRegularFile(f)) {
            return 0;
        }
        try {
            if (Files.size(f) > 64) {
                throw AgentException.badRequest(RESET_FILE + " must hold only the reset index");
            }
            return Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).strip());
        } catch (IOException | NumberFormatException e) {
            throw AgentException.badRequest("cannot read the reset index from " + f + ": " + e.getMessage());
        }
    }

    private static CompletableFuture<Response<AclPolicy>> policyWrite(Acl.PolicyWrite o, WriteContext ctx) {
        if (o.name().isEmpty()) {
            throw AgentException.badRequest("Invalid Policy: no Name is set");
        }
        try {
            Rules.parse(o.rules());
        } catch (RulesException e) {
            throw AgentException.badRequest("Invalid Policy: " + e.getMessage());
        }
        StateStore s = ctx.state();
        String id = o.id();
        if (id.isEmpty()) {
            id = RequestIds.uuid(ctx.requestId(), "acl-policy");
        } else {
            AclPolicy old = s.aclPolicy(id).value().orElseThrow(() -> AgentException.badRequest(
                    "Invalid Policy: Cannot find policy " + o.id()));
            if (id.equals(Builtins.GLOBAL_MANAGEMENT_ID) && (!o.name().equals(old.name())
                    || !o.rules().equals(old.rules()))) {
                throw AgentException.badRequest("Changing the name or rules of the builtin global-management policy "
                        + "is not permitted");
            }
        }
        AclPolicy p = new AclPolicy(id, o.name(), o.description(), o.rules(), o.datacenters(),
                hash(o.name(), o.description(), o.rules(), String.join(",", o.datacenters())), 0, 0);
        String pid = id;
        return propose(ctx, new Command.AclPolicySet(p)).thenApply(a -> new Response<>(
                ctx.state().aclPolicy(pid).value().orElseThrow(() -> new AgentException(Kind.INTERNAL,
                        "the policy was written and is gone")), Response.Meta.written(a.index())));
    }

    private static CompletableFuture<Response<Acl.TokenInfo>> tokenWrite(Acl.TokenWrite o, WriteContext ctx) {
        StateStore s = ctx.state();
        List<String> ids = new ArrayList<>();
        for (Acl.PolicyLink l : o.policies()) {
            Optional<AclPolicy> p = !l.id().isEmpty() ? s.aclPolicy(l.id()).value() : s.aclPolicyByName(l.name()).value();
            if (p.isEmpty()) {
                throw AgentException.badRequest("No such ACL policy with " + (l.id().isEmpty() ? "name " + l.name()
                        : "ID " + l.id()));
            }
            if (!ids.contains(p.get().id())) {
                ids.add(p.get().id());
            }
        }
        AclToken t;
        if (o.accessorId().isEmpty()) {
            String secret = o.secretId().isEmpty() ? newSecret() : o.secretId();
            t = new AclToken(RequestIds.uuid(ctx.requestId(), "acl-token"), secret, o.description(), ids, o.local(),
                    ctx.wallMillis(), "", "", "", 0, 0);
        } else {
            AclToken old = s.aclToken(o.accessorId()).value().orElseThrow(() -> AgentException.badRequest(
                    "Cannot find token " + o.accessorId()));
            if (!o.secretId().isEmpty() && !o.secretId().equals(old.secretId())) {
                throw AgentException.badRequest("Changing a token's SecretID is not permitted");
            }
            if (o.local() != old.local()) {
                throw AgentException.badRequest("Cannot toggle local mode of " + o.accessorId());
            }
            t = new AclToken(old.accessorId(), old.secretId(), o.description(), ids, old.local(), old.createTimeMillis(),
                    "", "", "", 0, 0);
        }
        return storeToken(ctx, t);
    }

    private static CompletableFuture<Response<String>> legacyWrite(Acl.LegacyWrite o, WriteContext ctx) {
        if (o.type().equals("client")) {
            try {
                Rules.parseLegacy(o.rules());
            } catch (RulesException e) {
                throw AgentException.badRequest("ACL rule compilation failed: " + e.getMessage());
            }
        }
        Optional<AclToken> old = o.secretId().isEmpty() ? Optional.empty()
                : ctx.state().aclTokenBySecret(o.secretId()).value();
        if (o.update() && old.isEmpty()) {
            throw AgentException.notFound("ACL not found");
        }
        if (!o.update() && old.isPresent()) {
            throw AgentException.badRequest("ACL with this ID already exists");
        }
        AclToken t = old.map(x -> new AclToken(x.accessorId(), x.secretId(), o.name(), List.of(), x.local(),
                        x.createTimeMillis(), "", o.type(), o.rules(), 0, 0))
                .orElseGet(() -> new AclToken(RequestIds.uuid(ctx.requestId(), "acl-token"),
                        o.secretId().isEmpty() ? newSecret() : o.secretId(), o.name(), List.of(), false,
                        ctx.wallMillis(), "", o.type(), o.rules(), 0, 0));
        return storeToken(ctx, t).thenApply(r -> new Response<>(r.value().token().secretId(), r.meta()));
    }

    private static CompletableFuture<Response<Acl.TokenInfo>> storeToken(WriteContext ctx, AclToken t) {
        AclToken h = withHash(t);
        return propose(ctx, new Command.AclTokenSet(h)).thenApply(a -> new Response<>(stored(ctx.state(),
                h.accessorId()), Response.Meta.written(a.index())));
    }

    /** The token as stored (a retry's answer carries the first attempt's secret). */
    private static Acl.TokenInfo stored(StateStore s, String accessor) {
        return info(s, s.aclToken(accessor).value().orElseThrow(() -> new AgentException(Kind.INTERNAL,
                "the token was written and is gone")));
    }

    private static CompletableFuture<Applied> propose(WriteContext ctx, Command c) {
        return ctx.propose(c).thenApply(a -> {
            CommandResult r = CommandResult.decode(a.result());
            if (r instanceof CommandResult.Failed) {
                throw failure(r);
            }
            return a;
        });
    }

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

    /** The built-in policy and anonymous token, as {@link Command.AclInit} creates them when missing. */
    public static Command.AclInit init(long nowMillis) {
        AclPolicy gm = new AclPolicy(Builtins.GLOBAL_MANAGEMENT_ID, Builtins.GLOBAL_MANAGEMENT_NAME,
                Builtins.GLOBAL_MANAGEMENT_DESCRIPTION, Builtins.GLOBAL_MANAGEMENT_RULES, List.of(),
                hash(Builtins.GLOBAL_MANAGEMENT_NAME, Builtins.GLOBAL_MANAGEMENT_DESCRIPTION,
                        Builtins.GLOBAL_MANAGEMENT_RULES, ""), 0, 0);
        AclToken anon = withHash(new AclToken(Builtins.ANONYMOUS_ACCESSOR_ID, Builtins.ANONYMOUS_SECRET_ID,
                Builtins.ANONYMOUS_DESCRIPTION, List.of(), false, nowMillis, "", "", "", 0, 0));
        return new Command.AclInit(gm, anon);
    }

    /**
     * keys feature: the configured master token ({@code acl.tokens.master}) as a global-management
     * token of the state, with a random AccessorID and the description Consul gives it, so that
     * {@code /v1/acl/tokens} lists it. The leader proposes it once the built-ins exist, while no
     * token holds that secret.
     */
    public static Command.AclTokenSet masterToken(String secret, long nowMillis) {
        return new Command.AclTokenSet(withHash(new AclToken(newSecret(), secret, "Master Token",
                List.of(Builtins.GLOBAL_MANAGEMENT_ID), false, nowMillis, "", "", "", 0, 0)));
    }

    // ------------------------------------------------------------------ helpers

    private static Indexed<Optional<Acl.TokenInfo>> info(StateStore s, Indexed<Optional<AclToken>> t) {
        return new Indexed<>(t.index(), t.value().map(x -> info(s, x)));
    }

    static Acl.TokenInfo info(StateStore s, AclToken t) {
        List<Acl.PolicyLink> links = new ArrayList<>();
        for (String id : t.policyIds()) {
            // Dangling links (a deleted policy) are left out, as Consul does.
            s.aclPolicy(id).value().ifPresent(p -> links.add(new Acl.PolicyLink(p.id(), p.name())));
        }
        return new Acl.TokenInfo(t, links);
    }

    private static String newSecret() {
        byte[] b = new byte[16];
        SECRETS.nextBytes(b);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        java.nio.ByteBuffer d = java.nio.ByteBuffer.wrap(b);
        return new UUID(d.getLong(), d.getLong()).toString();
    }

    private static AclToken withHash(AclToken t) {
        return new AclToken(t.accessorId(), t.secretId(), t.description(), t.policyIds(), t.local(),
                t.createTimeMillis(), hash(t.description(), String.join(",", t.policyIds()),
                Boolean.toString(t.local()), t.legacyType(), t.legacyRules()), t.legacyType(), t.legacyRules(),
                t.createIndex(), t.modifyIndex());
    }

    /** Consul's {@code Hash}: a digest of the content fields (here SHA-256, base64). */
    static String hash(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                sha.update(p.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static boolean isLocal(Optional<AclToken> t) {
        return t.isPresent() && t.get().local();
    }

    /**
     * Answers "ACL support disabled" while ACLs are off; in a secondary datacenter, sends the
     * writes of global objects to the primary.
     */
    private record Guard(boolean enabled, Optional<String> primary) {
        <O extends Op.Read<R>, R> Handlers.ReadHandler<O, R> read(Table table,
                                                                  BiFunction<O, StateStore, Indexed<R>> read) {
            Function<O, WatchTarget> target = o -> WatchTarget.table(table);
            return new Handlers.ReadHandler<>() {
                @Override
                public Optional<WatchTarget> target(O op) {
                    return Optional.of(target.apply(op));
                }

                @Override
                public Indexed<R> read(O op, StateStore state, Consensus consensus, long barrierIndex) {
                    if (!enabled) {
                        throw new AgentException(Kind.UNSUPPORTED, DISABLED);
                    }
                    return read.apply(op, state);
                }
            };
        }

        /**
         * {@code write}, or in a secondary datacenter, when {@code global} says the write concerns a
         * global object (given this datacenter's state), the primary's answer to it.
         */
        @SuppressWarnings("unchecked")
        <O extends Op.Write<R>, R> Handlers.WriteHandler<O, R> global(BiPredicate<O, StateStore> global,
                BiFunction<O, WriteContext, CompletableFuture<Response<R>>> write) {
            Handlers.WriteHandler<O, R> here = write(write);
            return (o, ctx) -> {
                if (enabled && primary.isPresent() && global.test(o, ctx.state())) {
                    return ctx.forwardTo(primary.get()).thenApply(r -> (Response<R>) r);
                }
                return here.write(o, ctx);
            };
        }

        <O extends Op.Write<R>, R> Handlers.WriteHandler<O, R> write(
                BiFunction<O, WriteContext, CompletableFuture<Response<R>>> write) {
            return (o, ctx) -> {
                if (!enabled) {
                    throw new AgentException(Kind.UNSUPPORTED, DISABLED);
                }
                return write.apply(o, ctx);
            };
        }
    }
}
