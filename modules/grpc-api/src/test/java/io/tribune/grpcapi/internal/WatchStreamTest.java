package io.tribune.grpcapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.state.Command;
import io.tribune.state.Indexed;
import io.tribune.state.KvEntry;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The watch stream's flow control and coalescing, driven by hand: a real state store whose
 * change feed runs on the calling thread, and a call whose readiness the test switches.
 */
class WatchStreamTest {
    /** A server call whose readiness the test controls; records what the stream sends. */
    static final class FakeCall extends ServerCallStreamObserver<KvWatchEvent> {
        final List<KvWatchEvent> sent = new ArrayList<>();
        Throwable error;
        boolean ready = true;
        Runnable onReady;
        Runnable onCancel;

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable r) {
            onCancel = r;
        }

        @Override
        public void setCompression(String c) {
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable r) {
            onReady = r;
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int n) {
        }

        @Override
        public void setMessageCompression(boolean b) {
        }

        @Override
        public void onNext(KvWatchEvent v) {
            sent.add(v);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
        }

        void becomeReady() {
            ready = true;
            onReady.run();
        }
    }

    private final StateStore state = new StateStore(Runnable::run);
    private long index;
    private final AtomicInteger ended = new AtomicInteger();

    private void put(String key, String value) {
        state.apply(++index, new Command.KvSet(key, value.getBytes(StandardCharsets.UTF_8), 0, OptionalLong.empty()));
    }

    private WatchStream<KvWatchEvent> watch(FakeCall call, String key, int maxBytes) {
        WatchStream<KvWatchEvent> w = new WatchStream<>(call, state, WatchTarget.kvKey(key), () -> {
            Indexed<Optional<KvEntry>> r = state.kvGet(key);
            KvWatchEvent.Builder ev = KvWatchEvent.newBuilder().setIndex(r.index());
            r.value().ifPresent(e -> ev.addEntries(Convert.kv(e)));
            return new WatchStream.Snapshot<>(r.index(), ev.build());
        }, maxBytes, x -> ended.incrementAndGet());
        w.attach();
        return w;
    }

    private static String value(KvWatchEvent e) {
        return e.getEntriesCount() == 0 ? null : e.getEntries(0).getValue().toStringUtf8();
    }

    @Test
    void sendsCurrentValueThenOneMessagePerChangeOfItsKeyOnly() {
        put("a", "1");
        FakeCall call = new FakeCall();
        watch(call, "a", 1 << 20).start(0);
        assertEquals(1, call.sent.size());
        assertEquals("1", value(call.sent.get(0)));
        put("b", "x");
        put("ab", "y");
        assertEquals(1, call.sent.size(), "writes to other keys send nothing");
        put("a", "2");
        state.apply(++index, new Command.KvDelete("a", OptionalLong.empty()));
        assertEquals(3, call.sent.size());
        assertEquals("2", value(call.sent.get(1)));
        assertNull(value(call.sent.get(2)), "a delete sends the key's absence");
        assertTrue(call.sent.get(1).getIndex() < call.sent.get(2).getIndex());
    }

    @Test
    void slowClientGetsOnlyTheNewestValueWhenItBecomesReady() {
        FakeCall call = new FakeCall();
        call.ready = false;
        watch(call, "k", 1 << 20).start(0);
        for (int i = 1; i <= 50; i++) {
            put("k", "v" + i);
        }
        assertEquals(0, call.sent.size(), "nothing is sent or queued while the client is not ready");
        call.becomeReady();
        assertEquals(1, call.sent.size(), "fifty changes coalesce into one message");
        assertEquals("v50", value(call.sent.get(0)));
        assertEquals(index, call.sent.get(0).getIndex());
        call.onReady.run();
        assertEquals(1, call.sent.size(), "an on-ready without a change sends nothing");
    }

    @Test
    void minIndexDefersTheFirstMessageUntilTheDataMovesPastIt() {
        put("m", "1");
        FakeCall call = new FakeCall();
        watch(call, "m", 1 << 20).start(index);
        assertEquals(0, call.sent.size());
        put("m", "2");
        assertEquals(1, call.sent.size());
        assertEquals("2", value(call.sent.get(0)));
    }

    @Test
    void clientCancelClosesTheSubscription() {
        FakeCall call = new FakeCall();
        watch(call, "c", 1 << 20).start(0);
        assertEquals(1, call.sent.size());
        call.onCancel.run();
        assertEquals(1, ended.get());
        put("c", "after");
        assertEquals(1, call.sent.size(), "a cancelled watch sends nothing more");
    }

    @Test
    void valueBeyondTheMessageLimitEndsTheStreamWithResourceExhausted() {
        put("big", "x".repeat(200));
        FakeCall call = new FakeCall();
        watch(call, "big", 100).start(0);
        assertEquals(0, call.sent.size());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(call.error).getCode());
        assertEquals(1, ended.get());
        put("big", "y");
        assertEquals(0, call.sent.size());
    }

    @Test
    void shutdownEndsWithUnavailable() {
        FakeCall call = new FakeCall();
        WatchStream<KvWatchEvent> w = watch(call, "s", 1 << 20);
        w.start(0);
        w.shutdown();
        w.shutdown();
        assertInstanceOf(RuntimeException.class, call.error);
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(call.error).getCode());
        assertEquals(1, ended.get(), "ending twice reports once");
    }
}
