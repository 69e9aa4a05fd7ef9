package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.api.grpc.v1.KVGrpc;
import io.tribune.api.grpc.v1.KvDeleteRequest;
import io.tribune.api.grpc.v1.KvDeleteResponse;
import io.tribune.api.grpc.v1.KvGetRequest;
import io.tribune.api.grpc.v1.KvGetResponse;
import io.tribune.api.grpc.v1.KvListRequest;
import io.tribune.api.grpc.v1.KvListResponse;
import io.tribune.api.grpc.v1.KvPutRequest;
import io.tribune.api.grpc.v1.KvPutResponse;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.Indexed;
import io.tribune.state.KvEntry;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code tribune.v1.KV}: reads behind the read barrier, writes as commands through consensus,
 * watches on the per-key or per-prefix change feed. A failed CAS, acquire or release is the result
 * {@code succeeded = false} (as Consul's HTTP API answers {@code false}), not an error.
 */
public final class KvService extends KVGrpc.KVImplBase {
    private final Backend b;
    private final Watches watches;

    /** The service over {@code backend}. */
    public KvService(Backend backend, Watches watches) {
        this.b = backend;
        this.watches = watches;
    }

    @Override
    public void get(KvGetRequest req, StreamObserver<KvGetResponse> out) {
        Backend.unary(out, () -> {
            String key = Backend.key(req.getKey());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                Indexed<Optional<KvEntry>> r = state.kvGet(key);
                KvGetResponse.Builder resp = KvGetResponse.newBuilder().setMeta(b.meta(r.index()))
                        .setFound(r.value().isPresent());
                r.value().ifPresent(e -> resp.setEntry(Convert.kv(e)));
                return resp.build();
            });
        });
    }

    @Override
    public void list(KvListRequest req, StreamObserver<KvListResponse> out) {
        Backend.unary(out, () -> {
            String prefix = Backend.prefix(req.getPrefix());
            if (!req.getSeparator().isEmpty() && !req.getKeysOnly()) {
                throw Errors.invalid("separator is only valid with keys_only");
            }
            Backend.prefix(req.getSeparator());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                KvListResponse.Builder resp = KvListResponse.newBuilder();
                if (req.getKeysOnly()) {
                    Indexed<List<String>> r = state.kvKeys(prefix, req.getSeparator());
                    return resp.setMeta(b.meta(r.index())).addAllKeys(r.value()).build();
                }
                Indexed<List<KvEntry>> r = state.kvList(prefix);
                r.value().forEach(e -> resp.addEntries(Convert.kv(e)));
                return resp.setMeta(b.meta(r.index())).build();
            });
        });
    }

    @Override
    public void put(KvPutRequest req, StreamObserver<KvPutResponse> out) {
        Backend.unary(out, () -> {
            boolean acquire = !req.getAcquire().isEmpty();
            boolean release = !req.getRelease().isEmpty();
            if (acquire && release) {
                throw Errors.invalid("conflicting options: acquire and release");
            }
            if ((acquire || release) && req.hasCas()) {
                throw Errors.invalid("conflicting options: cas cannot be used with acquire or release");
            }
            byte[] value = req.getValue().toByteArray();
            Command cmd;
            if (acquire) {
                cmd = new Command.KvAcquire(req.getKey(), value, req.getFlags(), Backend.sessionId(req.getAcquire()),
                        b.wallMillis());
            } else if (release) {
                cmd = new Command.KvRelease(req.getKey(), value, req.getFlags(), Backend.sessionId(req.getRelease()));
            } else {
                cmd = new Command.KvSet(req.getKey(), value, req.getFlags(),
                        req.hasCas() ? OptionalLong.of(req.getCas()) : OptionalLong.empty());
            }
            return b.write(cmd).thenApply(w -> KvPutResponse.newBuilder().setMeta(w.meta())
                    .setSucceeded(bool(w.result())).build());
        });
    }

    @Override
    public void delete(KvDeleteRequest req, StreamObserver<KvDeleteResponse> out) {
        Backend.unary(out, () -> {
            Command cmd;
            if (req.getRecurse()) {
                if (req.hasCas()) {
                    throw Errors.invalid("conflicting options: cas cannot be used with recurse");
                }
                cmd = new Command.KvDeleteTree(req.getKey());
            } else {
                cmd = new Command.KvDelete(req.getKey(),
                        req.hasCas() ? OptionalLong.of(req.getCas()) : OptionalLong.empty());
            }
            return b.write(cmd).thenApply(w -> KvDeleteResponse.newBuilder().setMeta(w.meta())
                    .setSucceeded(bool(w.result())).build());
        });
    }

    @Override
    public void watch(KvWatchRequest req, StreamObserver<KvWatchEvent> out) {
        String key;
        StateStore state;
        try {
            key = req.getPrefix() ? Backend.prefix(req.getKey()) : Backend.key(req.getKey());
            Backend.mode(req.getRead());
            state = b.state();
        } catch (RuntimeException e) {
            out.onError(Errors.toStatus(e));
            return;
        }
        WatchTarget target = req.getPrefix() ? WatchTarget.kvPrefix(key) : WatchTarget.kvKey(key);
        watches.open(out, target, req.getRead(), req.getMinIndex(), () -> {
            KvWatchEvent.Builder ev = KvWatchEvent.newBuilder();
            long index;
            if (req.getPrefix()) {
                Indexed<List<KvEntry>> r = state.kvList(key);
                r.value().forEach(e -> ev.addEntries(Convert.kv(e)));
                index = r.index();
            } else {
                Indexed<Optional<KvEntry>> r = state.kvGet(key);
                r.value().ifPresent(e -> ev.addEntries(Convert.kv(e)));
                index = r.index();
            }
            return new WatchStream.Snapshot<>(index, ev.setIndex(index).build());
        });
    }

    private static boolean bool(CommandResult r) {
        if (r instanceof CommandResult.Bool v) {
            return v.value();
        }
        throw Errors.failed(r);
    }
}
