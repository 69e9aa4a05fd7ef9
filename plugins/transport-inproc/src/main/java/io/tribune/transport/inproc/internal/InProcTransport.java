package io.tribune.transport.inproc.internal;

import io.tribune.api.Clock;
import io.tribune.api.PluginContext;
import io.tribune.api.Scheduler;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import io.tribune.api.transport.TransportSetup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} whose peers are other instances in the same {@link Hub}.
 *
 * <p>Every hop goes through a scheduler, as a network hop goes through an event loop: a request is
 * handed to the handler on the server's {@link Scheduler}, a response is completed on the caller's,
 * and deadlines are timers on the caller's scheduler read against its {@link Clock}. Nothing runs
 * on the calling thread except argument checks and failures detected before sending (closed,
 * too large, unknown endpoint), so the caller's callbacks never run re-entrantly inside a handler.
 *
 * <p>In-flight calls are kept in insertion-ordered sets so that {@link #close()} fails them in a
 * reproducible order on a simulated scheduler.
 *
 * <p><b>Delivery.</b> A failure is {@linkplain TransportException#notDelivered() not delivered}
 * when the request never reached the server's handler and this transport knows it: no transport in
 * the hub at the target, the caller or the server closed before the request was handed over, or
 * the request over either side's size limit. Once the request is queued for the handler (on the
 * server's scheduler) every failure stays unknown, even if the handler has not run yet: telling
 * those apart would take a race between the queue and close that buys the caller nothing.
 *
 * <p>A call-only transport ({@link TransportSetup#callOnly()}) never enters the hub, so a call to
 * its endpoint finds nothing and fails UNAVAILABLE; it refuses handlers, and the peers it calls see
 * no remote endpoint in their {@link CallContext}. Its own calls and streams are delivered exactly
 * as a serving transport's.
 */
public final class InProcTransport implements Transport {
    private enum State { NEW, STARTED, CLOSED }

    private static final AtomicLong STREAM_IDS = new AtomicLong();

    private final Hub hub;
    private final TransportSetup setup;
    private final Scheduler scheduler;
    private final Clock clock;
    private final System.Logger log;
    private final ConcurrentHashMap<String, RequestHandler> handlers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StreamHandler> streamHandlers = new ConcurrentHashMap<>();

    private final Object lifecycle = new Object();
    /** Calls made by this transport; failed with CANCELLED on close. Guarded by lifecycle. */
    private final Set<InFlight> outgoing = new LinkedHashSet<>();
    /** Calls served by this transport; failed with UNAVAILABLE on close. Guarded by lifecycle. */
    private final Set<InFlight> serving = new LinkedHashSet<>();
    /** Hub keys registered at start. Guarded by lifecycle. */
    private final List<Endpoint> keys = new ArrayList<>();
    private volatile State state = State.NEW;
    private volatile Endpoint local;

    /** A transport that will register in {@code hub} when started. */
    public InProcTransport(Hub hub, TransportSetup setup, PluginContext context) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.setup = Objects.requireNonNull(setup, "setup");
        this.scheduler = context.scheduler();
        this.clock = context.clock();
        this.log = context.logger("transport-inproc");
        this.local = setup.bind();
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("transport " + local + " is closed and cannot start again");
            }
            if (state == State.STARTED) {
                return;
            }
            if (setup.callOnly()) {
                // no hub entry: nobody can reach a transport that serves nothing
                state = State.STARTED;
                return;
            }
            Endpoint bound = hub.bind(setup.bind(), this);
            keys.add(bound);
            Endpoint advertise = setup.advertise().port() == 0
                    ? new Endpoint(setup.advertise().host(), bound.port()) : setup.advertise();
            if (!advertise.equals(bound)) {
                if (hub.alias(advertise, this)) {
                    keys.add(advertise);
                } else {
                    log.log(System.Logger.Level.WARNING, "advertised endpoint " + advertise
                            + " is taken in hub '" + hub.name() + "'; peers must call " + bound);
                }
            }
            local = bound;
            state = State.STARTED;
        }
    }

    @Override
    public Endpoint localEndpoint() {
        return local;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException on a call-only transport
     */
    @Override
    public void register(String method, RequestHandler handler) {
        refuseHandlersWhenCallOnly(method);
        Failures.checkMethod(method);
        handlers.put(method, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException on a call-only transport
     */
    @Override
    public void registerStream(String method, StreamHandler handler) {
        refuseHandlersWhenCallOnly(method);
        Failures.checkMethod(method);
        streamHandlers.put(method, Objects.requireNonNull(handler, "handler"));
    }

    private void refuseHandlersWhenCallOnly(String method) {
        if (setup.callOnly()) {
            throw new IllegalStateException("transport " + local + " is call-only and serves nothing; cannot register '"
                    + method + "'");
        }
    }

    @Override
    public int maxMessageBytes() {
        return setup.maxMessageBytes();
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when the method name is empty, longer than 256 characters or
     *                                  not printable ASCII, or the timeout is not in (0, 1 day]
     */
    @Override
    public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Failures.checkMethod(method);
        Objects.requireNonNull(request, "request");
        Failures.checkTimeout(timeout);
        if (request.length > maxMessageBytes()) {
            return CompletableFuture.failedFuture(TransportException.undelivered(Code.TOO_LARGE, "request of "
                    + request.length + " bytes for '" + method + "' exceeds the limit of " + maxMessageBytes()
                    + " bytes; not sent"));
        }
        UnaryCall call = new UnaryCall(this, target, method);
        if (!track(outgoing, call)) {
            return CompletableFuture.failedFuture(closedFailure());
        }
        call.timer = scheduler.schedule(timeout, () -> call.fail(Failures.of(Code.DEADLINE_EXCEEDED,
                "no response from " + target + " for '" + method + "' within " + timeout)));
        InProcTransport server = hub.lookup(target);
        if (server == null) {
            call.fail(unavailable(target));
        } else {
            server.serveUnary(call, request.clone(), timeout.toNanos());
        }
        return call.result;
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException as for {@link #call}
     */
    @Override
    public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
        Objects.requireNonNull(target, "target");
        Failures.checkMethod(method);
        Failures.checkTimeout(timeout);
        InProcTransport server = hub.lookup(target);
        StreamCall stream = new StreamCall(this, server, target, method, STREAM_IDS.incrementAndGet());
        if (!track(outgoing, stream)) {
            stream.fail(closedFailure());
            return stream;
        }
        stream.timer = scheduler.schedule(timeout, () -> stream.fail(Failures.of(Code.DEADLINE_EXCEEDED,
                "stream '" + method + "' to " + target + " did not complete within " + timeout)));
        if (server == null) {
            stream.fail(unavailable(target));
        } else {
            server.serveStream(stream, timeout.toNanos());
        }
        return stream;
    }

    /** Stops serving and fails calls in flight; idempotent. */
    @Override
    public void close() {
        List<InFlight> out;
        List<InFlight> in;
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            for (Endpoint k : keys) {
                hub.unbind(k, this);
            }
            out = new ArrayList<>(outgoing);
            in = new ArrayList<>(serving);
        }
        // unknown, not undelivered: a call in flight may already be in its handler
        TransportException cancelled = Failures.of(Code.CANCELLED, "transport " + local + " closed during the call");
        for (InFlight c : out) {
            c.fail(cancelled);
        }
        TransportException gone = Failures.of(Code.UNAVAILABLE, "peer " + local + " closed while serving the call");
        for (InFlight c : in) {
            c.fail(gone);
        }
    }

    // ---- server side ------------------------------------------------------------------------

    private void serveUnary(UnaryCall call, byte[] request, long timeoutNanos) {
        if (request.length > maxMessageBytes()) {
            // refused before any handler saw it, and we are the receiver: certain
            call.fail(TransportException.undelivered(Code.TOO_LARGE, "request of " + request.length
                    + " bytes exceeds the limit of " + maxMessageBytes() + " bytes of " + local));
            return;
        }
        call.server = this; // before tracking, so that a completion racing with us untracks it here
        if (!track(serving, call)) {
            call.fail(unavailable(call.target));
            return;
        }
        long deadline = saturatedDeadline(timeoutNanos);
        Optional<Endpoint> remote = Optional.ofNullable(call.caller.remoteIdentity());
        scheduler.execute(() -> {
            if (call.result.isDone()) {
                return; // deadline passed or caller cancelled before the request was picked up
            }
            RequestHandler h = handlers.get(call.method);
            if (h == null) {
                call.reply(null, Failures.of(Code.NO_HANDLER, "no handler for '" + call.method + "' on " + local));
                return;
            }
            CompletableFuture<byte[]> f;
            try {
                f = h.handle(new CallContext(call.method, remote, Optional.empty(), deadline), request);
            } catch (Throwable t) {
                call.reply(null, Failures.fromHandler(call.method, t));
                return;
            }
            if (f == null) {
                call.reply(null, Failures.of(Code.HANDLER_ERROR, "handler for '" + call.method
                        + "' returned no future"));
                return;
            }
            f.whenComplete((response, err) -> {
                if (err != null) {
                    call.reply(null, Failures.fromHandler(call.method, err));
                } else if (response == null) {
                    call.reply(null, Failures.of(Code.HANDLER_ERROR, "handler for '" + call.method
                            + "' completed with no response"));
                } else if (response.length > maxMessageBytes()) {
                    call.reply(null, Failures.of(Code.TOO_LARGE, "response of " + response.length
                            + " bytes exceeds the limit of " + maxMessageBytes() + " bytes of " + local));
                } else {
                    call.reply(response.clone(), null);
                }
            });
        });
    }

    private void serveStream(StreamCall stream, long timeoutNanos) {
        if (!track(serving, stream)) {
            stream.fail(unavailable(stream.target));
            return;
        }
        long deadline = saturatedDeadline(timeoutNanos);
        stream.open(new CallContext(stream.method, Optional.ofNullable(stream.caller.remoteIdentity()),
                Optional.empty(), deadline));
    }

    // ---- shared plumbing --------------------------------------------------------------------

    StreamHandler streamHandler(String method) {
        return streamHandlers.get(method);
    }

    Scheduler scheduler() {
        return scheduler;
    }

    Endpoint local() {
        return local;
    }

    /** The endpoint a peer sees as the caller: our listening endpoint once started; none if call-only. */
    private Endpoint remoteIdentity() {
        return state == State.STARTED && !setup.callOnly() ? local : null;
    }

    private long saturatedDeadline(long timeoutNanos) {
        long now = clock.nanos();
        return now > Long.MAX_VALUE - timeoutNanos ? Long.MAX_VALUE : now + timeoutNanos;
    }

    private boolean track(Set<InFlight> set, InFlight call) {
        synchronized (lifecycle) {
            if (state == State.CLOSED || (set == serving && state != State.STARTED)) {
                return false;
            }
            set.add(call);
            return true;
        }
    }

    /** Forgets a completed call on both of its sides. */
    void untrack(InFlight call) {
        synchronized (lifecycle) {
            outgoing.remove(call);
            serving.remove(call);
        }
    }

    /** The failure of a call or stream started after close: it was never sent. */
    private TransportException closedFailure() {
        return TransportException.undelivered(Code.CANCELLED, "transport " + local + " is closed");
    }

    /** The failure of a request that found no started transport at {@code target}: never handed over. */
    private TransportException unavailable(Endpoint target) {
        return TransportException.undelivered(Code.UNAVAILABLE, "no in-process transport listens on " + target
                + " in hub '" + hub.name() + "'");
    }

    @Override
    public String toString() {
        return "InProcTransport[" + local + ", hub=" + hub.name() + ", " + state + "]";
    }
}
