package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, defect 7 (DNS on a client agent timed out instead of answering SERVFAIL quickly when no
 * server answered): once a lookup found the cluster unreachable, the next lookups fail at once for
 * {@link RequestsDnsCatalog#FAIL_FAST}, but for one probe at a time, so a few DNS workers are not
 * all held for the whole timeout. Time is a counter the test moves; the request layer is a stand-in.
 */
@Timeout(30)
class RequestsDnsCatalogFailFastTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicInteger asked = new AtomicInteger();

    /** A request layer whose lookups fail as {@code mode} says: "hang" never answers, else the kind's failure. */
    private Requests requests(String[] mode) {
        return new Requests() {
            @Override
            @SuppressWarnings("unchecked")
            public <R> CompletableFuture<Response<R>> call(Op<R> op, Options options) {
                asked.incrementAndGet();
                return switch (mode[0]) {
                    case "hang" -> new CompletableFuture<>();
                    case "ok" -> CompletableFuture.completedFuture(new Response<>((R) List.of(), Response.Meta.NONE));
                    default -> CompletableFuture.failedFuture(new AgentException(AgentException.Kind.valueOf(mode[0]),
                            "stand-in failure"));
                };
            }
        };
    }

    @Test
    void afterTheClusterWasUnreachableLookupsFailAtOnceButForOneProbeAtATime() {
        String[] mode = {"hang"};
        RequestsDnsCatalog c = new RequestsDnsCatalog(requests(mode), Duration.ofMillis(50), Optional.empty(),
                now::get);
        assertThrows(DnsCatalog.UnavailableException.class, () -> c.serviceHealth("web", null));
        assertEquals(1, asked.get());
        // Within the window: every lookup but a probe fails without asking. Probes run one at a time;
        // here each ends before the next lookup, so each lookup is a probe of its own.
        mode[0] = "NO_SERVERS";
        assertThrows(DnsCatalog.UnavailableException.class, () -> c.node("n1"));
        assertEquals(2, asked.get(), "one probe went on asking");
        now.addAndGet(RequestsDnsCatalog.FAIL_FAST.toNanos() / 2);
        mode[0] = "ok";
        assertEquals(List.of(), c.serviceHealth("web", null));
        assertEquals(3, asked.get());
        // The probe's success ended the window: lookups ask again at once.
        assertEquals(List.of(), c.serviceHealth("web", null));
        assertEquals(4, asked.get());
    }

    @Test
    void whileAProbeIsWaitingOtherLookupsFailWithoutAsking() throws Exception {
        String[] mode = {"NO_SERVERS"};
        RequestsDnsCatalog c = new RequestsDnsCatalog(requests(mode), Duration.ofSeconds(5), Optional.empty(),
                now::get);
        assertThrows(DnsCatalog.UnavailableException.class, () -> c.serviceHealth("web", null));
        mode[0] = "hang";
        CompletableFuture<Void> probe = CompletableFuture.runAsync(() -> {
            try {
                c.serviceHealth("web", null);
            } catch (DnsCatalog.UnavailableException expected) {
                // the probe times out after 5 s of real time; the test does not wait for it
            }
        });
        assertTrue(io.tribune.testkit.Poll.until(Duration.ofSeconds(10), () -> asked.get() == 2),
                "the probe never asked");
        for (int i = 0; i < 20; i++) {
            DnsCatalog.UnavailableException e = assertThrows(DnsCatalog.UnavailableException.class,
                    () -> c.serviceHealth("web", null));
            assertTrue(e.getMessage().contains("failing fast"), e.getMessage());
        }
        assertEquals(2, asked.get(), "lookups asked while a probe was waiting");
        // Once the window is over, a lookup asks again even while the old probe waits.
        now.addAndGet(RequestsDnsCatalog.FAIL_FAST.toNanos() + 1);
        mode[0] = "ok";
        assertEquals(List.of(), c.serviceHealth("web", null));
        assertEquals(3, asked.get());
        probe.cancel(true);
    }

    @Test
    void answersAboutTheNameAreNotFailuresOfTheCluster() {
        String[] mode = {"BAD_REQUEST"};
        RequestsDnsCatalog c = new RequestsDnsCatalog(requests(mode), Duration.ofSeconds(5), Optional.empty(),
                now::get);
        for (int i = 0; i < 3; i++) {
            assertThrows(DnsCatalog.UnavailableException.class, () -> c.node("bad name"));
        }
        assertEquals(3, asked.get(), "a refused name opened a fail-fast window");
    }
}
