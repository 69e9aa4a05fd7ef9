package io.tribune.grpcapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.tribune.agent.Agent;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.state.KvEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The watch stream's flow control, coalescing and failure handling, over a real dev agent's request
 * layer (its blocking queries on the state store), with a gRPC call whose readiness the test
 * switches. Every wait is bounded; no assertion depends on timing.
 */
@Timeout(60)
class WatchStreamTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static Agent agent;

    /** A server call whose readiness the test controls; records what the stream sends. */
    static final class FakeCall extends ServerCallStreamObserver<KvWatchEvent> {
        final List<KvWatchEvent> sent = new CopyOnWriteArrayList<>();
        volatile Throwable error;
        volatile boolean ready = true;
        /** Not ready after each message, until {@link #becomeReady}. */
        volatile boolean pauseAfterEach;
        volatile Runnable onReady;
        volatile Runnable onCancel;

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
            if (pauseAfterEach) {
                ready = false;
            }
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

    /** The agent's request layer, counting the calls that completed and failing the first few on demand. */
    static final class Observed implements Requests {
        final Requests delegate;
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger failFirst = new AtomicInteger();
        volatile AgentException.Kind failWith = AgentException.Kind.NO_LEADER;

        Observed(Requests delegate) {
            this.delegate = delegate;
        }

        @Override
        public <R> CompletableFuture<Response<R>> call(Op<R> op, Options options) {
            CompletableFuture<Response<R>> f = failFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? CompletableFuture.failedFuture(new AgentException(failWith, "injected " + failWith))
                    : delegate.call(op, options);
            return f.whenComplete((r, t) -> completed.incrementAndGet());
        }
    }

    private final AtomicInteger ended = new AtomicInteger();

    @BeforeAll
    static void start() {
        agent = GrpcApiServerTest.startAgent("watchstream", 18452, -1);
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.shutdown(false);
        }
    }

    private static long put(String key, String value) {
        Response<Boolean> r = agent.requests().call(new Kv.Set(key, value.getBytes(StandardCharsets.UTF_8), 0,
                OptionalLong.empty())).orTimeout(10, TimeUnit.SECONDS).join();
        assertTrue(r.value());
        return r.meta().index();
    }

    private static long delete(String key) {
        return agent.requests().call(new Kv.Delete(key, OptionalLong.empty())).orTimeout(10, TimeUnit.SECONDS).join()
                .meta().index();
    }

    private WatchStream<Optional<KvEntry>, KvWatchEvent> watch(FakeCall call, Requests requests, String key,
                                                               int maxBytes) {
        Function<Response<Optional<KvEntry>>, KvWatchEvent> render = r -> {
            KvWatchEvent.Builder ev = KvWatchEvent.newBuilder().setIndex(r.meta().index());
            r.value().ifPresent(e -> ev.addEntries(Convert.kv(e)));
            return ev.build();
        };
        WatchStream<Optional<KvEntry>, KvWatchEvent> w = new WatchStream<>(call, requests, new Kv.Get(key),
                Options.DEFAULT, render, agent.platform().scheduler(), maxBytes, x -> ended.incrementAndGet());
        w.attach();
        return w;
    }

    private WatchStream<Optional<KvEntry>, KvWatchEvent> watch(FakeCall call, String key, int maxBytes) {
        return watch(call, agent.requests(), key, maxBytes);
    }

    private static String value(KvWatchEvent e) {
        return e.getEntriesCount() == 0 ? null : e.getEntries(0).getValue().toStringUtf8();
    }

    private static void await(String what, java.util.function.BooleanSupplier cond) throws InterruptedException {
        assertTrue(GrpcApiServerTest.waitFor(LIMIT, cond), what);
    }

    @Test
    void aMissingKeysHigherIndexWithTheSameAbsenceIsNotSent() throws Exception {
        // The call takes one message, then is not ready: the next query starts only after another
        // key's write, so it answers at once, with the KV table's higher index and the same absence.
        FakeCall call = new FakeCall();
        call.pauseAfterEach = true;
        Observed requests = new Observed(agent.requests());
        watch(call, requests, "ws/missing", 1 << 20).start(0);
        await("the key's absence", () -> call.sent.size() == 1);
        assertNull(value(call.sent.get(0)));
        long other = put("ws/missing-not", "x");
        assertTrue(other > call.sent.get(0).getIndex());
        call.becomeReady();
        await("the query after the other write", () -> requests.completed.get() == 2);
        assertEquals(1, call.sent.size(), "the same absence at a higher index sent nothing: " + call.sent);
        long set = put("ws/missing", "v");
        await("the key's own change", () -> call.sent.size() == 2);
        assertEquals("v", value(call.sent.get(1)));
        assertEquals(set, call.sent.get(1).getIndex());
    }

    @Test
    void sendsCurrentValueThenOneMessagePerChangeOfItsKeyOnly() throws Exception {
        put("ws/a", "1");
        FakeCall call = new FakeCall();
        watch(call, "ws/a", 1 << 20).start(0);
        await("the current value", () -> call.sent.size() == 1);
        assertEquals("1", value(call.sent.get(0)));
        put("ws/b", "x");
        put("ws/ab", "y");
        long two = put("ws/a", "2");
        await("the change of the key", () -> call.sent.size() >= 2);
        assertEquals(2, call.sent.size(), "writes to other keys sent nothing: " + call.sent);
        assertEquals("2", value(call.sent.get(1)));
        assertEquals(two, call.sent.get(1).getIndex());
        long gone = delete("ws/a");
        await("the delete", () -> call.sent.size() == 3);
        assertNull(value(call.sent.get(2)), "a delete sends the key's absence");
        assertEquals(gone, call.sent.get(2).getIndex());
        assertTrue(call.sent.get(1).getIndex() < call.sent.get(2).getIndex());
    }

    @Test
    void slowClientGetsOnlyTheNewestValueWhenItBecomesReady() throws Exception {
        Observed requests = new Observed(agent.requests());
        FakeCall call = new FakeCall();
        call.ready = false;
        watch(call, requests, "ws/k", 1 << 20).start(0);
        long last = 0;
        for (int i = 1; i <= 50; i++) {
            last = put("ws/k", "v" + i);
        }
        assertEquals(0, requests.completed.get(), "no query is issued while the client is not ready");
        assertEquals(0, call.sent.size(), "nothing is sent or queued while the client is not ready");
        call.becomeReady();
        await("the newest value", () -> call.sent.size() == 1);
        assertEquals("v50", value(call.sent.get(0)));
        assertEquals(last, call.sent.get(0).getIndex(), "fifty changes coalesce into one message");
        call.onReady.run();
        long next = put("ws/k", "v51");
        await("the next change", () -> call.sent.size() >= 2);
        assertEquals(2, call.sent.size(), "an on-ready without a change sent nothing");
        assertEquals(next, call.sent.get(1).getIndex());
    }

    @Test
    void minIndexDefersTheFirstMessageUntilTheDataMovesPastIt() throws Exception {
        long index = put("ws/m", "1");
        Observed requests = new Observed(agent.requests());
        FakeCall call = new FakeCall();
        watch(call, requests, "ws/m", 1 << 20).start(index);
        put("ws/m", "2");
        await("the value past min_index", () -> call.sent.size() == 1);
        assertEquals("2", value(call.sent.get(0)));
        assertEquals(1, requests.completed.get(), "one blocking query, woken by the write");
    }

    @Test
    void clientCancelClosesTheStream() throws Exception {
        Observed requests = new Observed(agent.requests());
        FakeCall call = new FakeCall();
        watch(call, requests, "ws/c", 1 << 20).start(0);
        await("the current value", () -> call.sent.size() == 1);
        call.onCancel.run();
        assertEquals(1, ended.get());
        int before = requests.completed.get();
        put("ws/c", "after");
        // The query in flight wakes with the write; its answer is dropped and no new one is issued.
        await("the query in flight ends", () -> requests.completed.get() == before + 1);
        assertEquals(1, call.sent.size(), "a cancelled watch sends nothing more");
        assertEquals(before + 1, requests.completed.get(), "and queries nothing more");
    }

    @Test
    void valueBeyondTheMessageLimitEndsTheStreamWithResourceExhausted() throws Exception {
        put("ws/big", "x".repeat(200));
        FakeCall call = new FakeCall();
        watch(call, "ws/big", 100).start(0);
        await("the stream ends", () -> call.error != null);
        assertEquals(0, call.sent.size());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(call.error).getCode());
        assertEquals(1, ended.get());
    }

    @Test
    void noLeaderIsRetriedAndTheStreamStaysOpen() throws Exception {
        put("ws/r", "1");
        Observed requests = new Observed(agent.requests());
        requests.failFirst.set(2);
        FakeCall call = new FakeCall();
        watch(call, requests, "ws/r", 1 << 20).start(0);
        await("the value after two failed queries", () -> call.sent.size() == 1);
        assertNull(call.error);
        assertEquals("1", value(call.sent.get(0)));
        assertEquals(0, ended.get());
    }

    @Test
    void aFailureThatRetryingCannotCureEndsTheStreamWithItsStatus() throws Exception {
        Observed requests = new Observed(agent.requests());
        requests.failWith = AgentException.Kind.PERMISSION_DENIED;
        requests.failFirst.set(1);
        FakeCall call = new FakeCall();
        watch(call, requests, "ws/p", 1 << 20).start(0);
        await("the stream ends", () -> call.error != null);
        assertEquals(Status.Code.PERMISSION_DENIED, Status.fromThrowable(call.error).getCode());
        assertEquals(1, requests.completed.get(), "not retried");
        assertEquals(1, ended.get());
    }

    @Test
    void shutdownEndsWithUnavailable() throws Exception {
        FakeCall call = new FakeCall();
        WatchStream<Optional<KvEntry>, KvWatchEvent> w = watch(call, "ws/s", 1 << 20);
        w.start(0);
        await("the current value", () -> call.sent.size() == 1);
        w.shutdown();
        w.shutdown();
        assertInstanceOf(RuntimeException.class, call.error);
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(call.error).getCode());
        assertEquals(1, ended.get(), "ending twice reports once");
    }
}
