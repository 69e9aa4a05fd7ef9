package io.tribune.state;

import io.tribune.api.consensus.Applied;
import io.tribune.state.internal.Codec;
import java.util.List;
import java.util.Objects;

/**
 * What {@link StateStore#apply} returns for a {@link Command}, encoded as the {@code byte[]} the
 * consensus plugin hands back to the proposer; {@link #decode(byte[])} reads it.
 */
public sealed interface CommandResult {

    /** The binary form (format byte, type tag, fields). */
    default byte[] encode() {
        return Codec.encodeResult(this);
    }

    /**
     * Reads a result written by {@link #encode()}.
     *
     * @throws IllegalArgumentException for malformed input
     */
    static CommandResult decode(byte[] bytes) {
        return Codec.decodeResult(bytes);
    }

    /** A yes/no outcome, as Consul's KV {@code PUT} and {@code DELETE} return {@code true}/{@code false}. */
    record Bool(boolean value) implements CommandResult {
    }

    /** The command was applied and has nothing to return. */
    record Done() implements CommandResult {
    }

    /** A count (e.g. tombstones reaped). */
    record Count(long value) implements CommandResult {
    }

    /**
     * The command was not applied and changed nothing.
     *
     * @param kind    what class of error, for choosing the HTTP status
     * @param message a human-readable reason
     */
    record Failed(Kind kind, String message) implements CommandResult {
        /** Classes of failure. */
        public enum Kind {
            /** The command is malformed or invalid (HTTP 400). */
            INVALID,
            /** Something it names does not exist (HTTP 404 or 500 depending on the endpoint). */
            NOT_FOUND,
            /** The state does not allow it, e.g. a check is critical (HTTP 500, as Consul). */
            REJECTED,
            /** An unexpected error inside apply; state unchanged (HTTP 500). */
            INTERNAL
        }

        /** Checks fields. */
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The outcome of a {@link Command.KvTxn}: on success {@code results} holds one entry per
     * {@code get} (with value), {@code get-tree} (entries with values) and write (without value),
     * and {@code errors} is empty; on failure {@code results} is empty, nothing was applied, and
     * {@code errors} names every failing operation.
     *
     * @param results entries, in operation order
     * @param errors  failing operations
     */
    record TxnOutcome(List<KvEntry> results, List<TxnError> errors) implements CommandResult {
        /** Copies the lists. */
        public TxnOutcome {
            results = List.copyOf(results);
            errors = List.copyOf(errors);
        }

        /** Whether the transaction was applied. */
        public boolean committed() {
            return errors.isEmpty();
        }
    }

    /**
     * One failing transaction operation, as Consul's {@code Errors[]} ({@code OpIndex}, {@code What}).
     *
     * @param opIndex zero-based position of the operation
     * @param what    why it failed
     */
    record TxnError(int opIndex, String what) {
        /** Checks fields. */
        public TxnError {
            Objects.requireNonNull(what, "what");
        }
    }

    /**
     * The answer to a {@link Command.Dedup} whose request id was already applied: nothing was
     * applied now; {@code result} is what the first application returned, at {@code index}.
     *
     * @param index  the log index at which the request was applied
     * @param result its result then; never itself a {@code Repeated}
     */
    record Repeated(long index, CommandResult result) implements CommandResult {
        /** Checks fields: repeats do not nest. */
        public Repeated {
            Objects.requireNonNull(result, "result");
            if (result instanceof Repeated) {
                throw new IllegalArgumentException("a repeated result cannot wrap another one");
            }
        }
    }

    /**
     * What a proposer reports for a committed write: {@code applied} itself, or, when its result
     * is an encoded {@link Repeated}, the index and encoded result of the request's first
     * application. Bytes that are not a result of this format pass through unchanged.
     */
    static Applied original(Applied applied) {
        byte[] r = applied.result();
        if (!Codec.isRepeated(r)) {
            return applied;
        }
        Repeated rep = (Repeated) decode(r);
        return new Applied(rep.index(), rep.result().encode());
    }

    /** Shorthand for {@link Bool}. */
    static CommandResult bool(boolean v) {
        return new Bool(v);
    }

    /** Shorthand for {@link Failed}. */
    static CommandResult failed(Failed.Kind kind, String message) {
        return new Failed(kind, message);
    }
}
