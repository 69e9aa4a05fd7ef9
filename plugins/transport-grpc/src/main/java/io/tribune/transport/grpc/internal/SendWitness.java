package io.tribune.transport.grpc.internal;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tells whether any part of one outgoing call may have left this node: the evidence behind
 * {@link io.tribune.api.transport.TransportException#notDelivered()}.
 *
 * <p><b>Why a stream tracer.</b> In gRPC-Java the only object that writes a call's headers or
 * messages to a connection is a client stream of a real transport (Netty's
 * {@code NettyClientTransport.newStream}), and that method tells the call's stream tracers
 * {@link #streamCreated} before it builds the stream. A call that fails while it still waits for a
 * connection (refused, nothing listening, TLS handshake failed, deadline while connecting, channel
 * shut down) ends on a placeholder stream ({@code DelayedStream}, {@code FailingClientStream}) that
 * never reaches a tracer's {@code streamCreated}. So "the call closed and {@code streamCreated}
 * was never called" proves that nothing of the call was written. The converse does not hold (a
 * stream may be created and then fail before its headers are flushed), which is why a created
 * stream only ever means "unknown".
 *
 * <p><b>When to read it.</b> Only in the call's {@code onClose}. A pending call's delayed stream
 * takes either a real stream or its cancellation, once, under its lock, and the real stream is
 * created (and {@code streamCreated} called) before it is offered; so if a real stream carries
 * the call, {@code streamCreated} happened before the close, and a real stream created after the
 * close is discarded unstarted. Reading it earlier, e.g. right after cancelling, races with a
 * pending call that is being handed its connection, so a local cancel does not consult it.
 *
 * <p>Retries must stay off ({@code disableRetry()} on the channel): a retrying stream would create
 * one stream per attempt and a failed later attempt would hide a delivered earlier one.
 *
 * <p>One instance per call, attached through {@link #options}: the shared {@link #FACTORY} finds
 * it in the call's options and hands it to gRPC as that call's tracer, so a call costs this one
 * small object plus the option slot. {@code ClientStreamTracer} is gRPC's experimental API
 * (grpc-java issue 2861); the transport tests pin the behaviour relied on here.
 */
final class SendWitness extends ClientStreamTracer {
    private static final CallOptions.Key<SendWitness> KEY = CallOptions.Key.create("tribune-send-witness");

    /** Gives each call its own witness; calls without one (none in this plugin) get a no-op tracer. */
    static final ClientStreamTracer.Factory FACTORY = new ClientStreamTracer.Factory() {
        @Override
        public ClientStreamTracer newClientStreamTracer(StreamInfo info, Metadata headers) {
            SendWitness w = info.getCallOptions().getOption(KEY);
            return w != null ? w : NONE;
        }
    };

    private static final ClientStreamTracer NONE = new ClientStreamTracer() { };

    /** Every call's options start from here, so the factory is in the list without a copy per call. */
    private static final CallOptions BASE = CallOptions.DEFAULT.withStreamTracerFactory(FACTORY);

    private volatile boolean streamCreated;

    /** Options for one call with {@code timeout} as its deadline, reporting to this witness. */
    CallOptions options(Duration timeout) {
        return BASE.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS).withOption(KEY, this);
    }

    /** Called by the gRPC transport on the thread that creates the real stream, before it exists. */
    @Override
    public void streamCreated(Attributes transportAttrs, Metadata headers) {
        streamCreated = true;
    }

    /**
     * Whether nothing of the call can have been written to a connection. Meaningful only once the
     * call has closed (see the class description).
     */
    boolean nothingSent() {
        return !streamCreated;
    }
}
