package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Txn;
import io.tribune.api.grpc.v1.TxnError;
import io.tribune.api.grpc.v1.TxnGrpc;
import io.tribune.api.grpc.v1.TxnRequest;
import io.tribune.api.grpc.v1.TxnResponse;
import io.tribune.state.CommandValidator;
import io.tribune.state.TxnOp;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tribune.v1.Txn}: up to {@link CommandValidator#MAX_TXN_OPS} KV operations applied atomically
 * ({@link Txn.Apply}). Failing operations are the result ({@code committed = false} with every error),
 * not a call error; a malformed transaction is INVALID_ARGUMENT and nothing is proposed.
 */
public final class TxnService extends TxnGrpc.TxnImplBase {
    private final Backend b;

    /** The service over {@code backend}. */
    public TxnService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void txn(TxnRequest req, StreamObserver<TxnResponse> out) {
        Backend.unary(out, () -> {
            if (req.getOpsCount() > CommandValidator.MAX_TXN_OPS) {
                throw Errors.invalid("transaction contains too many operations (" + req.getOpsCount() + " > "
                        + CommandValidator.MAX_TXN_OPS + ")");
            }
            List<TxnOp> ops = new ArrayList<>(req.getOpsCount());
            for (int i = 0; i < req.getOpsCount(); i++) {
                ops.add(Convert.txnOp(i, req.getOps(i)));
            }
            return b.write(new Txn.Apply(ops), r -> {
                TxnResponse.Builder resp = TxnResponse.newBuilder().setMeta(Backend.writeMeta(r.meta()))
                        .setCommitted(r.value().committed());
                r.value().results().forEach(e -> resp.addResults(Convert.kv(e)));
                r.value().errors().forEach(e -> resp.addErrors(TxnError.newBuilder().setOpIndex(e.opIndex())
                        .setWhat(e.what())));
                return resp.build();
            });
        });
    }
}
