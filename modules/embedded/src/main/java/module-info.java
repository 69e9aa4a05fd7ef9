/**
 * The embeddable Tribune agent ({@link io.tribune.embedded.EmbeddedAgent}) and its JUnit 5
 * extension ({@link io.tribune.embedded.junit.TribuneAgent}).
 *
 * <p>Uses no service itself: the agent ({@code io.tribune.agent}) finds the plugins
 * ({@code io.tribune.api.Plugin}) and the front ends ({@code io.tribune.agent.AgentService}: HTTP,
 * DNS, gRPC) with {@link java.util.ServiceLoader}; on the module path the modules this one requires
 * and the dev plugins beside them are bound by service binding. JUnit is optional: only the
 * {@code junit} package needs it.
 */
module io.tribune.embedded {
    requires io.tribune.agent;
    requires com.google.gson;
    requires java.logging;
    // the front ends: required so that one dependency resolves them on the module path
    requires io.tribune.http;
    requires io.tribune.dns;
    requires io.tribune.grpcapi;
    requires static org.junit.jupiter.api;

    exports io.tribune.embedded;
    exports io.tribune.embedded.junit;
}
