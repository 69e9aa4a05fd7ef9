package io.tribune.client;

import com.google.protobuf.ByteString;
import io.tribune.api.grpc.v1.KVGrpc;
import io.tribune.api.grpc.v1.KvDeleteRequest;
import io.tribune.api.grpc.v1.KvDeleteResponse;
import io.tribune.api.grpc.v1.KvEntry;
import io.tribune.api.grpc.v1.KvGetRequest;
import io.tribune.api.grpc.v1.KvGetResponse;
import io.tribune.api.grpc.v1.KvListRequest;
import io.tribune.api.grpc.v1.KvListResponse;
import io.tribune.api.grpc.v1.KvPutRequest;
import io.tribune.api.grpc.v1.KvPutResponse;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.api.grpc.v1.TxnGrpc;
import io.tribune.api.grpc.v1.TxnOp;
import io.tribune.api.grpc.v1.TxnRequest;
import io.tribune.api.grpc.v1.TxnResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The KV store. Conditional writes ({@link #cas}, {@link #acquire}, {@link #release},
 * {@link #deleteCas}) answer {@code false} when their condition does not hold; errors
 * (bad input, no leader, timeouts) are {@link TribuneException}s.
 */
public final class Kv {
    private final Calls calls;

    Kv(Calls calls) {
        this.calls = calls;
    }

    private KVGrpc.KVStub stub() {
        return calls.timed(KVGrpc.newStub(calls.channel));
    }

    // ---- full-request calls (every option of the API)

    /** A get with every option; the response carries the index and leader metadata. */
    public CompletableFuture<KvGetResponse> getAsync(KvGetRequest req) {
        return Calls.future(o -> stub().get(req, o));
    }

    /** A list with every option. */
    public CompletableFuture<KvListResponse> listAsync(KvListRequest req) {
        return Calls.future(o -> stub().list(req, o));
    }

    /** A put with every option. */
    public CompletableFuture<KvPutResponse> putAsync(KvPutRequest req) {
        return Calls.future(o -> stub().put(req, o));
    }

    /** A delete with every option. */
    public CompletableFuture<KvDeleteResponse> deleteAsync(KvDeleteRequest req) {
        return Calls.future(o -> stub().delete(req, o));
    }

    /** A transaction of 1..64 operations; failing operations are in the response, not an error. */
    public CompletableFuture<TxnResponse> txnAsync(List<TxnOp> ops) {
        TxnRequest req = TxnRequest.newBuilder().addAllOps(ops).build();
        return Calls.future(o -> calls.timed(TxnGrpc.newStub(calls.channel)).txn(req, o));
    }

    // ---- conveniences

    /** The entry at {@code key}, if present, asynchronously. */
    public CompletableFuture<Optional<KvEntry>> getAsync(String key) {
        return getAsync(KvGetRequest.newBuilder().setKey(key).setRead(calls.read).build())
                .thenApply(r -> r.getFound() ? Optional.of(r.getEntry()) : Optional.empty());
    }

    /** The entry at {@code key}, if present. */
    public Optional<KvEntry> get(String key) {
        return Calls.await(getAsync(key), r -> r);
    }

    /** Entries under {@code prefix}, in key order. */
    public List<KvEntry> list(String prefix) {
        return Calls.await(listAsync(KvListRequest.newBuilder().setPrefix(prefix).setRead(calls.read).build()),
                KvListResponse::getEntriesList);
    }

    /** Keys under {@code prefix}, in key order. */
    public List<String> keys(String prefix) {
        return Calls.await(listAsync(KvListRequest.newBuilder().setPrefix(prefix).setKeysOnly(true)
                .setRead(calls.read).build()), KvListResponse::getKeysList);
    }

    /** Writes {@code value} at {@code key}, asynchronously; completes with the commit index. */
    public CompletableFuture<Long> putAsync(String key, byte[] value) {
        return putAsync(KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFrom(value)).build())
                .thenApply(r -> r.getMeta().getIndex());
    }

    /** Writes {@code value} at {@code key}; returns the commit index. */
    public long put(String key, byte[] value) {
        return Calls.await(putAsync(key, value), r -> r);
    }

    /** Writes only if the key's modify index is {@code modifyIndex} (0: only if absent); false otherwise. */
    public boolean cas(String key, byte[] value, long modifyIndex) {
        return Calls.await(putAsync(KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFrom(value))
                .setCas(modifyIndex).build()), KvPutResponse::getSucceeded);
    }

    /** Takes the key's lock for {@code session} and writes; false when another session holds it. */
    public boolean acquire(String key, byte[] value, String session) {
        return Calls.await(putAsync(KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFrom(value))
                .setAcquire(session).build()), KvPutResponse::getSucceeded);
    }

    /** Releases {@code session}'s lock on the key and writes; false when it does not hold it. */
    public boolean release(String key, byte[] value, String session) {
        return Calls.await(putAsync(KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFrom(value))
                .setRelease(session).build()), KvPutResponse::getSucceeded);
    }

    /** Deletes {@code key} (true also when absent). */
    public boolean delete(String key) {
        return Calls.await(deleteAsync(KvDeleteRequest.newBuilder().setKey(key).build()),
                KvDeleteResponse::getSucceeded);
    }

    /** Deletes {@code key} only if its modify index is {@code modifyIndex}; false otherwise. */
    public boolean deleteCas(String key, long modifyIndex) {
        return Calls.await(deleteAsync(KvDeleteRequest.newBuilder().setKey(key).setCas(modifyIndex).build()),
                KvDeleteResponse::getSucceeded);
    }

    /** Deletes every key under {@code prefix}. */
    public void deleteTree(String prefix) {
        Calls.await(deleteAsync(KvDeleteRequest.newBuilder().setKey(prefix).setRecurse(true).build()), r -> r);
    }

    /** Runs a transaction; see {@link #txnAsync}. */
    public TxnResponse txn(List<TxnOp> ops) {
        return Calls.await(txnAsync(ops), r -> r);
    }

    // ---- watches

    /** Watches one key as a stream: its current value, then its value after each change. */
    public Watch<KvWatchEvent> watch(String key) {
        return watch(KvWatchRequest.newBuilder().setKey(key).setRead(calls.read).build());
    }

    /** Watches every key under {@code prefix} as a stream. */
    public Watch<KvWatchEvent> watchPrefix(String prefix) {
        return watch(KvWatchRequest.newBuilder().setKey(prefix).setPrefix(true).setRead(calls.read).build());
    }

    /** A watch with every option, as a stream. */
    public Watch<KvWatchEvent> watch(KvWatchRequest req) {
        Watch<KvWatchEvent> w = new Watch<>();
        KVGrpc.newStub(calls.channel).watch(req, w.<KvWatchRequest>observer());
        return w;
    }

    /** A watch with every option, delivered to {@code listener}; close the handle to stop. */
    public WatchHandle watch(KvWatchRequest req, WatchListener<KvWatchEvent> listener) {
        WatchHandle h = new WatchHandle();
        KVGrpc.newStub(calls.channel).watch(req, h.<KvWatchRequest, KvWatchEvent>observer(listener));
        return h;
    }
}
