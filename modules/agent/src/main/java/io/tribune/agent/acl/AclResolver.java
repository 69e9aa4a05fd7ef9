package io.tribune.agent.acl;

import io.tribune.acl.Authorizer;
import io.tribune.acl.Builtins;
import io.tribune.acl.Rules;
import io.tribune.acl.RulesException;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentException.Kind;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.api.Clock;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.StateStore;
import io.tribune.state.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns the token of a request into an {@link Authorizer} (Consul's ACL resolver).
 *
 * <ul>
 *   <li><b>Servers</b> resolve from their own state: the token with that SecretID, the rules of its
 *       policies (parsed once per policy version), merged over {@code acl.default_policy}. The
 *       configured master token is management. The answer is cached per secret until an ACL table
 *       changes.</li>
 *   <li><b>Client agents</b> ask a server ({@link Acl.Resolve}) and keep the answer for the shorter
 *       of {@code acl.token_ttl} and {@code acl.policy_ttl}; concurrent requests share one question.
 *       When no server answers, {@code acl.down_policy} decides: {@code allow}, {@code deny}, or
 *       (the default {@code extend-cache}, and {@code async-cache}) the cached answer past its TTL,
 *       deny for a token never seen.</li>
 * </ul>
 * A request without a token uses the agent's default token, else the anonymous token. The agent
 * master token resolves locally (agent endpoints of this agent, node reads), also with no server.
 * A secret that names no token fails with {@link Kind#PERMISSION_DENIED} "ACL not found".
 *
 * <p>Thread-safe: caches are concurrent maps, bounded by {@link #MAX_CACHED} (emptied when full).
 * Secrets are never logged.
 */
public final class AclResolver {
    private static final System.Logger LOG = System.getLogger(AclResolver.class.getName());
    /** Most tokens and policies cached. */
    static final int MAX_CACHED = 4096;
    /** Consul's message for a secret that names no token. */
    public static final String NOT_FOUND = "ACL not found";

    /**
     * The agent master token's rights, parsed on first use (a holder class): parsing loads hcl4j and
     * unpacks its lexer's tables, which an agent that never sees that token should not pay for at
     * start (issue 19).
     */
    private static final class AgentMaster {
        static final Authorizer AUTHORIZER = Authorizer.of(List.of(Rules.parse(
                "agent_prefix \"\" { policy = \"write\" }\nnode_prefix \"\" { policy = \"read\" }")), Authorizer.denyAll());

        private AgentMaster() {
        }
    }

    private final AclSettings settings;
    private final AgentTokens tokens;
    private final Optional<StateStore> state;
    private final Requests requests;
    private final Clock clock;
    private final Authorizer parent;

    /** Server: parsed policies by ID, with the modify index they were parsed at. */
    private final ConcurrentHashMap<String, ParsedPolicy> policies = new ConcurrentHashMap<>();
    /** Server: authorizers by secret, valid while both ACL tables keep their indexes. */
    private final ConcurrentHashMap<String, ServerEntry> resolved = new ConcurrentHashMap<>();
    /** Client: answers by secret, with when they were fetched, and the question in flight. */
    private final ConcurrentHashMap<String, ClientEntry> cached = new ConcurrentHashMap<>();

    private final LongAdder remoteResolutions = new LongAdder();
    private final LongAdder downPolicyUses = new LongAdder();

    private record ParsedPolicy(long modifyIndex, Rules rules) {
    }

    private record ServerEntry(long tokensIndex, long policiesIndex, Authorizer authorizer) {
    }

    private static final class ClientEntry {
        volatile Authorizer authorizer;
        volatile long fetchedNanos;
        volatile CompletableFuture<Authorizer> inFlight;
    }

    /**
     * @param state    the server's state, or empty on a client agent
     * @param requests the request layer (a client asks servers through it)
     */
    public AclResolver(AclSettings settings, AgentTokens tokens, Optional<StateStore> state, Requests requests,
                       Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.state = Objects.requireNonNull(state, "state");
        this.requests = Objects.requireNonNull(requests, "requests");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.parent = Authorizer.ofDefault(settings.defaultAllow());
    }

    /** Whether ACLs are enforced. */
    public boolean enabled() {
        return settings.enabled();
    }

    /** This agent's default token ("" for the anonymous token). */
    public String defaultToken() {
        return tokens.defaultToken();
    }

    /** The secret a request with {@code token} is resolved as: its own, the default token, or the anonymous one. */
    public String effective(String token) {
        if (!token.isEmpty()) {
            return token;
        }
        String d = tokens.defaultToken();
        return d.isEmpty() ? Builtins.ANONYMOUS_SECRET_ID : d;
    }

    /**
     * The authorizer of {@code token} ("" for none). Completes at once on servers and for cached
     * tokens on clients.
     */
    public CompletableFuture<Authorizer> resolve(String token) {
        if (!settings.enabled()) {
            return CompletableFuture.completedFuture(Authorizer.manageAll());
        }
        String secret = effective(token);
        if (!tokens.agentMaster().isEmpty() && secret.equals(tokens.agentMaster())) {
            return CompletableFuture.completedFuture(AgentMaster.AUTHORIZER);
        }
        if (state.isPresent()) {
            try {
                return CompletableFuture.completedFuture(resolveHere(secret));
            } catch (AgentException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return resolveRemote(secret);
    }

    // ------------------------------------------------------------------ servers

    private Authorizer resolveHere(String secret) {
        if (!settings.master().isEmpty() && secret.equals(settings.master())) {
            return Authorizer.manageAll();
        }
        StateStore s = state.orElseThrow();
        long tokensIndex = s.tableIndex(Table.ACL_TOKENS);
        long policiesIndex = s.tableIndex(Table.ACL_POLICIES);
        ServerEntry e = resolved.get(secret);
        if (e != null && e.tokensIndex == tokensIndex && e.policiesIndex == policiesIndex) {
            return e.authorizer;
        }
        Authorizer a = fromIdentity(identify(secret));
        if (resolved.size() >= MAX_CACHED) {
            resolved.clear();
        }
        resolved.put(secret, new ServerEntry(tokensIndex, policiesIndex, a));
        return a;
    }

    /**
     * What {@code secret} is, from this server's state (the answer of {@link Acl.Resolve}).
     *
     * @throws AgentException PERMISSION_DENIED "ACL not found" for an unknown secret
     */
    public Acl.Identity identify(String secret) {
        if (!settings.enabled()) {
            return new Acl.Identity(true, "", true, List.of());
        }
        String s0 = secret.isEmpty() ? effective(secret) : secret;
        if (!settings.master().isEmpty() && s0.equals(settings.master())) {
            return new Acl.Identity(true, "", true, List.of());
        }
        StateStore s = state.orElseThrow(() -> new AgentException(Kind.INTERNAL, "tokens are resolved on servers"));
        Optional<AclToken> t = s.aclTokenBySecret(s0).value();
        if (t.isEmpty()) {
            if (s0.equals(Builtins.ANONYMOUS_SECRET_ID)) {
                // Before the leader created the anonymous token: the default policy alone.
                return new Acl.Identity(true, Builtins.ANONYMOUS_ACCESSOR_ID, false, List.of());
            }
            throw new AgentException(Kind.PERMISSION_DENIED, NOT_FOUND);
        }
        AclToken tok = t.get();
        if (tok.legacy()) {
            if (tok.legacyType().equals("management")) {
                return new Acl.Identity(true, tok.accessorId(), true, List.of());
            }
            return new Acl.Identity(true, tok.accessorId(), false, List.of(legacyRules(tok.legacyRules()).toHcl()));
        }
        List<String> texts = new ArrayList<>();
        for (String id : tok.policyIds()) {
            rulesOf(s, id).ifPresent(r -> texts.add(r.toHcl()));
        }
        return new Acl.Identity(true, tok.accessorId(), false, texts);
    }

    private Optional<Rules> rulesOf(StateStore s, String policyId) {
        Optional<AclPolicy> p = s.aclPolicy(policyId).value();
        if (p.isEmpty()) {
            // A deleted policy: its link grants nothing (Consul drops dangling links).
            return Optional.empty();
        }
        ParsedPolicy cachedPolicy = policies.get(policyId);
        if (cachedPolicy != null && cachedPolicy.modifyIndex == p.get().modifyIndex()) {
            return Optional.of(cachedPolicy.rules);
        }
        Rules r;
        try {
            r = Rules.parse(p.get().rules());
        } catch (RulesException e) {
            // Rules are checked before they are stored; one that fails now grants nothing.
            LOG.log(System.Logger.Level.WARNING, "ACL policy {0} has rules that do not parse; it grants nothing: {1}",
                    p.get().name(), e.getMessage());
            r = Rules.EMPTY;
        }
        if (policies.size() >= MAX_CACHED) {
            policies.clear();
        }
        policies.put(policyId, new ParsedPolicy(p.get().modifyIndex(), r));
        return Optional.of(r);
    }

    private static Rules legacyRules(String text) {
        try {
            return Rules.parseLegacy(text);
        } catch (RulesException e) {
            return Rules.EMPTY;
        }
    }

    private Authorizer fromIdentity(Acl.Identity id) {
        if (id.management()) {
            return Authorizer.manageAll();
        }
        List<Rules> rules = new ArrayList<>();
        for (String text : id.rules()) {
            try {
                rules.add(Rules.parse(text));
            } catch (RulesException e) {
                LOG.log(System.Logger.Level.WARNING, "a server sent rules that do not parse: {0}", e.getMessage());
            }
        }
        return Authorizer.of(rules, parent);
    }

    // ------------------------------------------------------------------ clients

    private CompletableFuture<Authorizer> resolveRemote(String secret) {
        ClientEntry e = cached.get(secret);
        long now = clock.nanos();
        if (e != null && e.authorizer != null && now - e.fetchedNanos < settings.cacheTtl().toNanos()) {
            return CompletableFuture.completedFuture(e.authorizer);
        }
        if (e == null) {
            if (cached.size() >= MAX_CACHED) {
                cached.clear();
            }
            e = cached.computeIfAbsent(secret, k -> new ClientEntry());
        }
        ClientEntry entry = e;
        CompletableFuture<Authorizer> fetch = fetch(secret, entry);
        if (settings.downPolicy() == AclSettings.DownPolicy.ASYNC_CACHE && entry.authorizer != null) {
            // Serve the expired answer now; the fetch refreshes it in the background.
            return CompletableFuture.completedFuture(entry.authorizer);
        }
        return fetch;
    }

    private CompletableFuture<Authorizer> fetch(String secret, ClientEntry entry) {
        synchronized (entry) {
            CompletableFuture<Authorizer> f = entry.inFlight;
            if (f != null) {
                return f;
            }
            CompletableFuture<Authorizer> out = new CompletableFuture<>();
            entry.inFlight = out;
            remoteResolutions.increment();
            requests.call(new Acl.Resolve(secret), Options.DEFAULT.withToken(secret)).whenComplete((r, t) -> {
                synchronized (entry) {
                    entry.inFlight = null;
                }
                if (t == null) {
                    Authorizer a = fromIdentity(r.value());
                    entry.authorizer = a;
                    entry.fetchedNanos = clock.nanos();
                    out.complete(a);
                    return;
                }
                AgentException ex = AgentException.of(t);
                if (!unreachable(ex.kind())) {
                    if (ex.kind() == Kind.PERMISSION_DENIED) {
                        cached.remove(secret, entry);
                    }
                    out.completeExceptionally(ex);
                    return;
                }
                downPolicyUses.increment();
                switch (settings.downPolicy()) {
                    case ALLOW -> out.complete(Authorizer.allowAll());
                    case DENY -> out.complete(Authorizer.denyAll());
                    default -> out.complete(entry.authorizer != null ? entry.authorizer : Authorizer.denyAll());
                }
                LOG.log(System.Logger.Level.DEBUG, "no server answered a token resolution ({0}); down policy {1}",
                        ex.kind(), settings.downPolicy());
            });
            return out;
        }
    }

    private static boolean unreachable(Kind k) {
        return k == Kind.NO_SERVERS || k == Kind.NO_LEADER || k == Kind.UNAVAILABLE || k == Kind.TIMEOUT
                || k == Kind.OUTCOME_UNKNOWN || k == Kind.NO_PATH_TO_DATACENTER;
    }

    /** Counters for {@code /v1/agent/self} and tests: remote resolutions and down-policy decisions. */
    public java.util.Map<String, Long> stats() {
        return java.util.Map.of("acl_remote_resolutions", remoteResolutions.sum(), "acl_down_policy_uses",
                downPolicyUses.sum());
    }
}
