package io.tribune.agent.rpc;

import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.TxnOp;
import java.util.List;
import java.util.Objects;

/** Atomic transactions of KV operations (Consul's {@code Txn.Apply}). */
public final class Txn {
    private Txn() {
    }

    /**
     * Applies up to {@link CommandValidator#MAX_TXN_OPS} KV operations atomically: either all take
     * effect ({@code committed}, with a result per operation) or none (with the failed operations'
     * indexes and reasons).
     */
    public record Apply(List<TxnOp> ops) implements Op.Write<CommandResult.TxnOutcome> {
        public Apply {
            Objects.requireNonNull(ops, "ops");
            if (ops.isEmpty()) {
                throw AgentException.badRequest("Transaction contains no operations");
            }
            if (ops.size() > CommandValidator.MAX_TXN_OPS) {
                throw new AgentException(AgentException.Kind.TOO_LARGE, "Transaction contains too many operations ("
                        + ops.size() + " > " + CommandValidator.MAX_TXN_OPS + ")");
            }
            ops = List.copyOf(ops);
        }
    }
}
