package io.tribune.agent.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SwappableTransportTest {
    /** A transport that records what is done to it; calls answer its name. */
    static final class Fake implements Transport {
        final String name;
        final List<String> events = new ArrayList<>();
        final Map<String, RequestHandler> handlers = new LinkedHashMap<>();
        Endpoint local;

        Fake(String name, Endpoint local) {
            this.name = name;
            this.local = local;
        }

        @Override
        public void start() {
            events.add("start");
            if (local.port() == 0) {
                local = new Endpoint(local.host(), 7000);   // the system's choice
            }
        }

        @Override
        public Endpoint localEndpoint() {
            return local;
        }

        @Override
        public void register(String method, RequestHandler handler) {
            events.add("register " + method);
            handlers.put(method, handler);
        }

        @Override
        public void registerStream(String method, StreamHandler handler) {
            events.add("registerStream " + method);
        }

        @Override
        public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
            return CompletableFuture.completedFuture(name.getBytes());
        }

        @Override
        public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int maxMessageBytes() {
            return 1024;
        }

        @Override
        public void close() {
            events.add("close");
        }
    }

    static final Endpoint PEER = new Endpoint("127.0.0.1", 9);
    static final RequestHandler ECHO = (ctx, req) -> CompletableFuture.completedFuture(req);

    @Test
    void replacementGetsEveryHandlerBeforeItStartsOnTheSamePortAndTakesTheCalls() throws Exception {
        Fake first = new Fake("first", new Endpoint("127.0.0.1", 0));
        SwappableTransport t = new SwappableTransport(first);
        t.register("raft.append", ECHO);
        t.registerStream("snapshot.install", ctx -> null);
        t.start();
        assertEquals(7000, t.localEndpoint().port());
        assertEquals("first", new String(t.call(PEER, "x", new byte[0], Duration.ofSeconds(1)).get()));

        AtomicReference<Endpoint> askedAt = new AtomicReference<>();
        List<String> order = new ArrayList<>();
        Fake[] second = new Fake[1];
        t.replace(() -> order.add("between, old " + first.events.get(first.events.size() - 1)), where -> {
            askedAt.set(where);
            second[0] = new Fake("second", where);
            return second[0];
        });
        assertEquals(List.of("between, old close"), order, "the old instance is closed before the code is swapped");
        assertEquals(new Endpoint("127.0.0.1", 7000), askedAt.get(), "the new instance listens where the old one did");
        assertEquals(List.of("register raft.append", "registerStream snapshot.install", "start"), second[0].events);
        assertSame(ECHO, second[0].handlers.get("raft.append"));
        assertSame(second[0], t.current());
        assertEquals("second", new String(t.call(PEER, "x", new byte[0], Duration.ofSeconds(1)).get()));
    }

    @Test
    void callsWhileNoInstanceRunsFailAsNotDeliveredAndAFailedReplacementCanBeRetried() throws Exception {
        Fake first = new Fake("first", new Endpoint("127.0.0.1", 7100));
        SwappableTransport t = new SwappableTransport(first);
        t.register("m", ECHO);
        t.start();
        AtomicReference<CompletableFuture<byte[]>> during = new AtomicReference<>();
        assertThrows(IllegalStateException.class, () -> t.replace(
                () -> during.set(t.call(PEER, "m", new byte[0], Duration.ofSeconds(1))),
                where -> {
                    throw new IllegalStateException("new revision broken");
                }));
        ExecutionException e = assertThrows(ExecutionException.class, () -> during.get().get());
        TransportException te = (TransportException) e.getCause();
        assertEquals(TransportException.Code.UNAVAILABLE, te.code());
        assertTrue(te.notDelivered(), "nothing reached a handler");
        assertEquals(new Endpoint("127.0.0.1", 7100), t.localEndpoint(), "the endpoint is still known");
        assertEquals(1024, t.maxMessageBytes(), "the message limit is still known: raft sizes its batches by it "
                + "while the plugin is replaced, and must not see an exception there");

        // Recovery: the previous code again, on the same port, with the same handlers.
        t.replace(() -> { }, where -> new Fake("again", where));
        assertEquals("again", new String(t.call(PEER, "m", new byte[0], Duration.ofSeconds(1)).get()));
        assertEquals(7100, t.localEndpoint().port());
    }

    @Test
    void closeClosesTheInstanceAndLaterCallsFail() {
        Fake first = new Fake("first", new Endpoint("127.0.0.1", 7200));
        SwappableTransport t = new SwappableTransport(first);
        t.start();
        t.close();
        assertEquals("close", first.events.get(first.events.size() - 1));
        assertTrue(t.call(PEER, "m", new byte[0], Duration.ofSeconds(1)).isCompletedExceptionally());
        assertThrows(IllegalStateException.class, () -> t.replace(() -> { }, where -> first));
    }
}
