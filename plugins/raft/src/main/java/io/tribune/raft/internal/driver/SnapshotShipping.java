package io.tribune.raft.internal.driver;

import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.raft.internal.core.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * InstallSnapshot (Raft §7) over a client stream (method {@value #SNAPSHOT_METHOD}): the sender
 * streams the newest stored snapshot as a header chunk (one encoded InstallSnapshot message) and
 * data chunks of {@code raft.snapshot.chunk-bytes}; the receiver writes the chunks into its
 * snapshot store and, once the stream completes and the snapshot is committed to the store, hands
 * the header to the ready loop, whose core decides whether to use it.
 *
 * <p>Threading: {@link #send} runs on the loop's executor; the receiver runs on transport
 * threads. The snapshot store takes one writer at a time: a received snapshot and a local one
 * share {@code writer}.
 */
final class SnapshotShipping {
    static final String SNAPSHOT_METHOD = "raft.snapshot";

    private final String id;
    private final Transport transport;
    private final SnapshotStore snapshots;
    private final PeerLinks links;
    private final Executor executor;
    private final Semaphore writer;
    private final int chunkBytes;
    private final Duration timeout;
    private final BooleanSupplier running;
    private final System.Logger log;
    private final Function<Message.InstallSnapshot, CompletableFuture<Void>> received;
    private final TransferReport report;
    // Executor-confined: peers a snapshot is being sent to (one transfer per peer at a time).
    private final Map<String, Boolean> sending = new HashMap<>();

    /** Where the outcome of a transfer goes (on the executor). */
    interface TransferReport {
        void transferred(String peer, boolean ok);
    }

    /**
     * @param received hands a stored snapshot's header to the loop; completes once the core took it
     * @param report   told, on the executor, when a transfer failed
     */
    SnapshotShipping(String id, Transport transport, SnapshotStore snapshots, PeerLinks links, Executor executor,
                     Semaphore writer, int chunkBytes, Duration timeout, BooleanSupplier running, System.Logger log,
                     Function<Message.InstallSnapshot, CompletableFuture<Void>> received, TransferReport report) {
        this.id = id;
        this.transport = transport;
        this.snapshots = snapshots;
        this.links = links;
        this.executor = executor;
        this.writer = writer;
        this.chunkBytes = chunkBytes;
        this.timeout = timeout;
        this.running = running;
        this.log = log;
        this.received = received;
        this.report = report;
    }

    /** Registers the receiving handler with the transport. */
    void register() {
        transport.registerStream(SNAPSHOT_METHOD, this::onSnapshotStream);
    }

    /**
     * Streams the newest stored snapshot to {@code m.to()}: a header chunk, then data chunks. A
     * transfer that cannot start is reported at once; one that fails later is reported on the
     * executor.
     */
    void send(Message.InstallSnapshot m) {
        String peer = m.to();
        if (sending.containsKey(peer)) {
            return;
        }
        Endpoint target = links.endpointOf(peer);
        Optional<SnapshotMeta> latest = snapshots.latest();
        if (target == null || latest.isEmpty() || latest.get().index() < m.index()) {
            report.transferred(peer, false);
            return;
        }
        SnapshotMeta meta = latest.get();
        Optional<SnapshotStore.Reader> opened = snapshots.open(meta.id());
        if (opened.isEmpty()) {
            report.transferred(peer, false);
            return;
        }
        sending.put(peer, true);
        SnapshotStore.Reader reader = opened.get();
        Message.InstallSnapshot header = new Message.InstallSnapshot(m.from(), peer, m.term(), meta.index(), meta.term(),
                ServerConfigurations.decode(meta.configuration(), "snapshot " + meta.id()));
        OutboundStream stream = transport.openStream(target, SNAPSHOT_METHOD, timeout);
        InputStream in = reader.stream();
        CompletableFuture<Void> first = stream.send(WireCodec.encode(transport.localEndpoint(), List.of(header)));
        pump(stream, in, first).whenComplete((ok, err) -> {
            try {
                reader.close();
            } catch (IOException ignored) {
                // Nothing to do: the transfer outcome is what matters.
            }
            executor.execute(() -> {
                sending.remove(peer);
                if (err != null && running.getAsBoolean()) {
                    log.log(System.Logger.Level.WARNING, "snapshot transfer to " + peer + " failed: " + err);
                    report.transferred(peer, false);
                }
            });
        });
    }

    private CompletableFuture<Void> pump(OutboundStream stream, InputStream in, CompletableFuture<Void> previous) {
        return previous.thenCompose(v -> {
            byte[] chunk;
            try {
                chunk = in.readNBytes(chunkBytes);
            } catch (IOException e) {
                stream.cancel("reading the snapshot failed: " + e.getMessage());
                return CompletableFuture.failedFuture(e);
            }
            if (chunk.length == 0) {
                return stream.finish().thenApply(b -> (Void) null);
            }
            return pump(stream, in, stream.send(chunk));
        });
    }

    /** Receives a snapshot stream into the snapshot store, then hands its metadata to the loop. */
    private StreamHandler.Receiver onSnapshotStream(CallContext ctx) {
        return new StreamHandler.Receiver() {
            private SnapshotStore.Writer out;
            private Message.InstallSnapshot header;
            private OutputStream stream;
            private boolean owner;

            @Override
            public CompletableFuture<Void> onChunk(byte[] chunk) {
                try {
                    if (header == null) {
                        if (!running.getAsBoolean()) {
                            throw new IllegalStateException("raft " + id + " is not running");
                        }
                        WireCodec.Envelope env = WireCodec.decode(chunk);
                        if (env.messages().size() != 1 || !(env.messages().get(0) instanceof Message.InstallSnapshot s)
                                || !s.to().equals(id)) {
                            throw new IllegalArgumentException("a snapshot stream must start with one InstallSnapshot for " + id);
                        }
                        if (!writer.tryAcquire()) {
                            throw new IllegalStateException("another snapshot is being written on " + id);
                        }
                        owner = true;
                        header = s;
                        links.learn(s.from(), env.sender());
                        out = snapshots.create(s.index(), s.snapshotTerm(), ServerConfigurations.encode(s.configuration()));
                        stream = out.stream();
                    } else {
                        stream.write(chunk);
                    }
                    return CompletableFuture.completedFuture(null);
                } catch (IOException | RuntimeException e) {
                    release();
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public CompletableFuture<byte[]> onComplete() {
                if (header == null || out == null) {
                    release();
                    return CompletableFuture.failedFuture(new IllegalArgumentException("empty snapshot stream"));
                }
                try {
                    out.commit();
                } catch (IOException | RuntimeException e) {
                    release();
                    return CompletableFuture.failedFuture(e);
                }
                Message.InstallSnapshot h = header;
                CompletableFuture<byte[]> done = new CompletableFuture<>();
                executor.execute(() -> received.apply(h).whenComplete((v, t) -> {
                    release();
                    if (t == null) {
                        done.complete(new byte[0]);
                    } else {
                        done.completeExceptionally(t);
                    }
                }));
                return done;
            }

            @Override
            public void onError(Throwable cause) {
                release();
            }

            private synchronized void release() {
                if (out != null) {
                    out.abort();
                    out = null;
                }
                if (owner) {
                    owner = false;
                    writer.release();
                }
            }
        };
    }
}
