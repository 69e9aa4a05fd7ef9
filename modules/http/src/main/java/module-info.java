/**
 * The agent's Consul-compatible HTTP API ({@code /v1}): a front end over the agent's request layer,
 * served with Netty, and the web UI's files ({@code io.tribune.ui}) at {@code /ui/}. Provides an {@link io.tribune.agent.AgentService} that the agent starts last.
 */
module io.tribune.http {
    requires io.tribune.agent;
    // web UI: its files at /ui/
    requires io.tribune.ui;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.transport;
    // HTTPS listener (config feature).
    requires io.netty.handler;

    exports io.tribune.http;

    provides io.tribune.agent.AgentService with io.tribune.http.HttpService;
}
