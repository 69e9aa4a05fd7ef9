package io.tribune.http.internal;

import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.rpc.Requests;

/**
 * The Consul-compatible {@code /v1} HTTP API: every endpoint group registered on an
 * {@link HttpServer}, each a thin translation of Consul's paths, parameters, headers and JSON shapes
 * into the request layer's operations and back. Where a request runs, how it is forwarded, held,
 * retried and (later) authorized is decided below, in the request layer, the same for every front end.
 */
public final class ConsulApi {
    /**
     * Whether the agent serves the web UI at {@code /ui/}: set from the {@code ui} config key (the
     * {@code -ui} flag); default on in {@code -dev}, off otherwise.
     */
    public static final String UI_ENABLED = "ui.enabled";

    private ConsulApi() {
    }

    /** Adds every {@code /v1} route to {@code http}. */
    public static void register(HttpServer http, Requests requests, AgentConfig config) {
        String dc = config.datacenter();
        KvRoutes kv = new KvRoutes(requests);
        CatalogRoutes catalog = new CatalogRoutes(requests, dc, config.discoveryMaxStale(), config.nodeName());
        SessionRoutes sessions = new SessionRoutes(requests, dc);
        OperatorRoutes operator = new OperatorRoutes(requests, dc);
        AgentRoutes agent = new AgentRoutes(requests, config);
        http.route("/v1/kv/", kv::kv);
        http.route("/v1/kv", (req, rest) -> {
            throw HttpError.badRequest("missing key name: use /v1/kv/<key>");
        });
        http.route("/v1/txn", kv::txn);
        http.route("/v1/catalog/", catalog::catalog);
        http.route("/v1/health/", catalog::health);
        http.route("/v1/session/", sessions::session);
        http.route("/v1/event/", sessions::event);
        http.route("/v1/coordinate/", sessions::coordinate);
        http.route("/v1/status/", agent::status);
        AclRoutes acl = new AclRoutes(requests);
        http.route("/v1/acl/", acl::acl);
        http.route("/v1/agent/token/", acl::agentToken);
        http.route("/v1/agent/", agent::agent);
        http.route("/v1/operator/raft/", operator::raft);
        http.route("/v1/operator/keyring", operator::keyring);
        // autopilot: configuration and health
        http.route("/v1/operator/autopilot/", new AutopilotRoutes(requests)::route);
        http.route("/v1/snapshot", operator::snapshot);
        QueryRoutes queries = new QueryRoutes(requests);
        http.route("/v1/query/", queries::query);
        http.route("/v1/query", queries::root);
        // web UI (docs/ui.md): the endpoints it reads always, as in Consul; its files at /ui/ when "ui" is on
        http.route("/v1/internal/ui/", new UiInternalRoutes(requests, dc, config.discoveryMaxStale())::ui);
        if (config.pluginConfig().getBoolean(UI_ENABLED, config.dev())) {
            new UiRoutes().register(http);
        }
        // obs: log streaming and host facts
        MonitorRoutes monitor = new MonitorRoutes(requests, io.tribune.agent.observe.LogBroker.process());
        http.route("/v1/agent/monitor", monitor::monitor);
        http.route("/v1/agent/host", monitor::host);
        // Telemetry: /v1/agent/metrics (docs/metrics.md).
        http.route("/v1/agent/metrics", new MetricsRoutes(requests)::metrics);
    }
}
