package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
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
import io.tribune.state.KvEntry;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code tribune.v1.KV}: reads, writes and watches as the request layer's {@link Kv} operations. A
 * failed CAS, acquire or release is the result {@code succeeded = false} (as Consul's HTTP API answers
 * {@code false}), not an error.
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
        Backend.unary(out, () -> b.read(new Kv.Get(req.getKey()), req.getRead(), r -> {
            KvGetResponse.Builder resp = KvGetResponse.newBuilder().setMeta(Backend.meta(r.meta()))
                    .setFound(r.value().isPresent());
            r.value().ifPresent(e -> resp.setEntry(Convert.kv(e)));
            return resp.build();
        }));
    }

    @Override
    public void list(KvListRequest req, StreamObserver<KvListResponse> out) {
        Backend.unary(out, () -> {
            if (!req.getSeparator().isEmpty() && !req.getKeysOnly()) {
                throw Errors.invalid("separator is only valid with keys_only");
            }
            if (req.getKeysOnly()) {
                return b.read(new Kv.Keys(req.getPrefix(), req.getSeparator()), req.getRead(),
                        r -> KvListResponse.newBuilder().setMeta(Backend.meta(r.meta())).addAllKeys(r.value()).build());
            }
            return b.read(new Kv.Entries(req.getPrefix()), req.getRead(), r -> {
                KvListResponse.Builder resp = KvListResponse.newBuilder().setMeta(Backend.meta(r.meta()));
                r.value().forEach(e -> resp.addEntries(Convert.kv(e)));
                return resp.build();
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
            Op<Boolean> op;
            if (acquire) {
                op = new Kv.Acquire(req.getKey(), value, req.getFlags(), req.getAcquire());
            } else if (release) {
                op = new Kv.Release(req.getKey(), value, req.getFlags(), req.getRelease());
            } else {
                op = new Kv.Set(req.getKey(), value, req.getFlags(),
                        req.hasCas() ? OptionalLong.of(req.getCas()) : OptionalLong.empty());
            }
            return b.write(op, r -> KvPutResponse.newBuilder().setMeta(Backend.writeMeta(r.meta()))
                    .setSucceeded(r.value()).build());
        });
    }

    @Override
    public void delete(KvDeleteRequest req, StreamObserver<KvDeleteResponse> out) {
        Backend.unary(out, () -> {
            Op<Boolean> op;
            if (req.getRecurse()) {
                if (req.hasCas()) {
                    throw Errors.invalid("conflicting options: cas cannot be used with recurse");
                }
                op = new Kv.DeleteTree(req.getKey());
            } else {
                op = new Kv.Delete(req.getKey(), req.hasCas() ? OptionalLong.of(req.getCas()) : OptionalLong.empty());
            }
            return b.write(op, r -> KvDeleteResponse.newBuilder().setMeta(Backend.writeMeta(r.meta()))
                    .setSucceeded(r.value()).build());
        });
    }

    @Override
    public void watch(KvWatchRequest req, StreamObserver<KvWatchEvent> out) {
        try {
            Backend.mode(req.getRead());
            if (req.getPrefix()) {
                watches.open(out, new Kv.Entries(req.getKey()), req.getRead(), req.getMinIndex(),
                        r -> event(r.meta().index(), r.value()));
            } else {
                watches.open(out, new Kv.Get(req.getKey()), req.getRead(), req.getMinIndex(),
                        r -> event(r.meta().index(), r.value().map(List::of).orElse(List.of())));
            }
        } catch (RuntimeException e) {
            out.onError(Errors.toStatus(e));
        }
    }

    private static KvWatchEvent event(long index, List<KvEntry> entries) {
        KvWatchEvent.Builder ev = KvWatchEvent.newBuilder().setIndex(index);
        entries.forEach(e -> ev.addEntries(Convert.kv(e)));
        return ev.build();
    }
}
