package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.ServiceHealth;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The DNS catalog over a real dev agent's request layer: what it asks, what it answers, how it fails. */
@Timeout(60)
class RequestsDnsCatalogTest {
    private static Agent agent;
    private final List<Op<?>> ops = new CopyOnWriteArrayList<>();
    private final List<Options> options = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"dnscat\","
                + " \"ports\": {\"http\": -1, \"grpc\": -1, \"dns\": -1, \"server\": 18474}}").getAsJsonObject(), "test")
                .build();
        agent = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(
                RequestsDnsCatalogTest.class.getClassLoader()).load()), "embedded");
        Node n = Node.of("web-a", "10.3.0.1");
        assertTrue(agent.requests().call(new Catalog.Register(n, Optional.of(NodeService.of("web-1", "web", 80)),
                List.of(HealthCheck.of("web-a", "c1", HealthStatus.WARNING, "web-1")), false))
                .orTimeout(10, TimeUnit.SECONDS).join().value());
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.shutdown(false);
        }
    }

    /** The agent's request layer, recorded. */
    private Requests recorded(Requests r) {
        return new Requests() {
            @Override
            public <R> CompletableFuture<Response<R>> call(Op<R> op, Options o) {
                ops.add(op);
                options.add(o);
                return r.call(op, o);
            }
        };
    }

    private DnsCatalog catalog(Requests r, Duration timeout, Optional<Duration> maxStale) {
        return new RequestsDnsCatalog(recorded(r), timeout, maxStale);
    }

    @Test
    void answersFromTheCatalogWithStaleReadsBoundedOnlyWhenConfigured() {
        DnsCatalog c = catalog(agent.requests(), Duration.ofSeconds(5), Optional.empty());
        assertEquals("10.3.0.1", c.node("web-a").orElseThrow().address());
        assertTrue(c.node("web-z").isEmpty());
        List<ServiceHealth> web = c.serviceHealth("web", null);
        assertEquals(1, web.size());
        assertEquals(80, web.get(0).service().port());
        assertEquals(HealthStatus.WARNING, web.get(0).aggregateStatus());
        assertEquals(List.of(), c.serviceHealth("web", "v2"), "the tag filters");
        assertEquals(List.of(), c.serviceHealth("nothing", null));
        assertEquals(5, options.size());
        options.forEach(o -> {
            assertEquals(ReadConsistency.STALE, o.consistency());
            assertEquals(Duration.ZERO, o.maxStale(), "without discovery_max_stale DNS reads stay unbounded");
        });
        DnsCatalog bounded = catalog(agent.requests(), Duration.ofSeconds(5), Optional.of(Duration.ofSeconds(90)));
        bounded.serviceHealth("web", null);
        assertEquals(Duration.ofSeconds(90), options.get(5).maxStale());
    }

    @Test
    void failuresTimeoutsAndRefusedNamesAreUnavailable() {
        Requests failing = new Requests() {
            @Override
            public <R> CompletableFuture<Response<R>> call(Op<R> op, Options o) {
                return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.NO_SERVERS,
                        "No known Consul servers"));
            }
        };
        DnsCatalog.UnavailableException e = assertThrows(DnsCatalog.UnavailableException.class,
                () -> catalog(failing, Duration.ofSeconds(5), Optional.empty()).serviceHealth("web", null));
        assertTrue(e.getMessage().contains("No known Consul servers"), e.getMessage());
        Requests silent = new Requests() {
            @Override
            public <R> CompletableFuture<Response<R>> call(Op<R> op, Options o) {
                return new CompletableFuture<>();
            }
        };
        e = assertThrows(DnsCatalog.UnavailableException.class,
                () -> catalog(silent, Duration.ofMillis(100), Optional.empty()).node("web-a"));
        assertTrue(e.getMessage().contains("within 100 ms"), e.getMessage());
        // A name the request layer refuses (longer than a catalog name may be) asks nothing.
        int before = ops.size();
        assertThrows(DnsCatalog.UnavailableException.class,
                () -> catalog(agent.requests(), Duration.ofSeconds(5), Optional.empty()).node("x".repeat(100_000)));
        assertEquals(before, ops.size());
    }
}
