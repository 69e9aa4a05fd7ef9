package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tribune.api.Clock;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.raft.internal.core.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Fault simulation seed 3182: a chunk sent into a partition was acknowledged only when the
 * connection's own retransmission reached the peer, seconds after the heal, and every heartbeat
 * queued behind it meanwhile. A chunk unacknowledged for longer than the RPC timeout is given up
 * and the queue goes on a new stream.
 */
class PeerLinksStallTest {
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);
    private static final Endpoint PEER = new Endpoint("127.0.0.2", 8300);

    /** A stream whose chunks complete only when the test says so. */
    private static final class HeldStream implements OutboundStream {
        final List<CompletableFuture<Void>> sends = new ArrayList<>();
        String cancelled;

        @Override
        public CompletableFuture<Void> send(byte[] chunk) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            sends.add(f);
            return f;
        }

        @Override
        public CompletableFuture<byte[]> finish() {
            return new CompletableFuture<>();
        }

        @Override
        public void cancel(String reason) {
            cancelled = reason;
        }
    }

    private static final class HeldTransport implements Transport {
        final List<HeldStream> streams = new ArrayList<>();

        @Override
        public void start() {
        }

        @Override
        public Endpoint localEndpoint() {
            return new Endpoint("127.0.0.1", 8300);
        }

        @Override
        public void register(String method, RequestHandler handler) {
        }

        @Override
        public void registerStream(String method, StreamHandler handler) {
        }

        @Override
        public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
            throw new AssertionError("no unary call expected while streams work: " + method);
        }

        @Override
        public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
            HeldStream s = new HeldStream();
            streams.add(s);
            return s;
        }

        @Override
        public int maxMessageBytes() {
            return 1 << 20;
        }

        @Override
        public void close() {
        }
    }

    private static final class ManualClock implements Clock {
        long nanos;

        @Override
        public long nanos() {
            return nanos;
        }

        @Override
        public long wallMillis() {
            return nanos / 1_000_000;
        }
    }

    private static List<Message> heartbeat(long context) {
        return List.of(new Message.Heartbeat("a", "b", 2, 10, context));
    }

    @Test
    void aChunkUnacknowledgedPastTheRpcTimeoutIsGivenUpAndTheQueueGoesOnANewStream() {
        HeldTransport transport = new HeldTransport();
        ManualClock clock = new ManualClock();
        PeerLinks links = new PeerLinks("a", transport, RPC_TIMEOUT, clock, Runnable::run, () -> true, m -> { });
        links.learn(List.of(new ServerInfo("b", PEER, true)));

        links.send(heartbeat(1));
        assertEquals(1, transport.streams.size());
        HeldStream first = transport.streams.get(0);
        assertEquals(1, first.sends.size(), "the first chunk is in flight (and, here, never acknowledged)");

        // Within the RPC timeout a later message waits behind the chunk in flight, as before.
        clock.nanos += RPC_TIMEOUT.toNanos();
        links.send(heartbeat(2));
        assertEquals(1, transport.streams.size());
        assertEquals(1, first.sends.size());
        assertNull(first.cancelled);

        // Past it, the stalled stream is cancelled and what is queued goes on a new one.
        clock.nanos += 1;
        links.send(heartbeat(3));
        assertNotNull(first.cancelled, "the stalled stream is cancelled");
        assertEquals(2, transport.streams.size(), "a new stream is opened");
        HeldStream second = transport.streams.get(1);
        assertEquals(1, second.sends.size(), "the queued heartbeats go at once on the new stream");

        // The stalled chunk's late answer changes nothing: the new chunk is still the one in flight.
        first.sends.get(0).completeExceptionally(new IllegalStateException("cancelled"));
        links.send(heartbeat(4));
        assertEquals(2, transport.streams.size());
        assertEquals(1, second.sends.size(), "one chunk in flight at a time on the new stream");

        // Once the new chunk is acknowledged, the next message goes on the same stream.
        second.sends.get(0).complete(null);
        assertEquals(2, second.sends.size(), "what queued meanwhile goes when the chunk is acknowledged");
        assertEquals(2, transport.streams.size());
    }
}
