package io.tribune.http;

import io.tribune.agent.AgentContext;
import io.tribune.agent.AgentService;
import io.tribune.http.internal.ConsulApi;
import io.tribune.http.internal.HttpLimits;
import io.tribune.http.internal.HttpServer;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Serves Consul's HTTP API ({@code /v1/...}) on the agent's HTTP port ({@code ports.http}, 8500 by
 * default; negative disables it; 0 picks a free port), bound to the agent's client address. Found by
 * the agent with {@link java.util.ServiceLoader} as an {@link AgentService}; it starts after every
 * other optional part (DNS, gRPC), as Consul opens its HTTP listener last, and is closed first.
 *
 * <p>A thin front end: it translates paths, parameters, headers and JSON into the request layer's
 * operations and their answers and errors back into Consul's shapes and statuses.
 */
public final class HttpService implements AgentService {
    /** Starts after the other optional parts. */
    public static final int ORDER = 100;
    private volatile InetSocketAddress bound;
    private HttpServer server;
    private InetSocketAddress httpsBound;

    /** Created by {@link java.util.ServiceLoader}. */
    public HttpService() {
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public int order() {
        return ORDER;
    }

    @Override
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(bound);
    }

    /**
     * Binds and serves.
     *
     * @throws IllegalStateException when already started or the address cannot be bound
     */
    @Override
    public synchronized void start(AgentContext agent) {
        if (server != null) {
            throw new IllegalStateException("the HTTP API is already started");
        }
        int port = agent.config().ports().http();
        HttpServer s = new HttpServer(agent.config().limits().maxRequestBytes(),
                HttpLimits.from(agent.config().pluginConfig()));
        ConsulApi.register(s, agent.requests(), agent.config());
        // Telemetry: consul.http.<METHOD>.<route> timers around the dispatch.
        s.timing(agent.metrics(), agent.clock());
        // keys feature: http_config.response_headers on every response
        s.responseHeaders(io.tribune.agent.config.ConfigKeys.responseHeaders(agent.config().pluginConfig()));
        server = s;
        // config feature: the HTTPS listener (ports.https), beside or instead of plain HTTP.
        Optional<io.tribune.agent.config.ConfigKeys.Https> https =
                io.tribune.agent.config.ConfigKeys.https(agent.config().pluginConfig());
        if (https.isPresent()) {
            httpsBound = s.startHttps(io.tribune.agent.config.ConfigKeys.address(agent.config(), "https"),
                    https.get().port(),
                    io.tribune.http.internal.HttpsContext.server(https.get()));
            System.getLogger(HttpService.class.getName()).log(System.Logger.Level.INFO,
                    "HTTPS API on {0} (client certificates {1})", httpsBound,
                    https.get().verifyIncoming() ? "required" : "not required");
        }
        if (port < 0) {
            System.getLogger(HttpService.class.getName()).log(System.Logger.Level.INFO,
                    "HTTP API disabled (ports.http = {0})", port);
            return;
        }
        bound = s.start(io.tribune.agent.config.ConfigKeys.address(agent.config(), "http"), port);
        // Scripts (and the CDS training run) read the bound port from this line.
        System.getLogger(HttpService.class.getName()).log(System.Logger.Level.INFO, "HTTP API on {0}", bound);
    }

    /** Where the HTTPS listener is bound (config feature), if configured and started. */
    public synchronized Optional<InetSocketAddress> httpsAddress() {
        return Optional.ofNullable(httpsBound);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            bound = null;
            httpsBound = null;
            server.close();
            server = null;
        }
    }
}
