package io.tribune.testkit.linearizability;

import java.util.Objects;
import java.util.Optional;

/**
 * The model of one key of a key-value store: a register that is absent or holds a value, read,
 * written and compared-and-set. Use it with
 * {@link LinearizabilityChecker#checkPartitioned(Model, java.util.List, java.util.function.Function)}
 * and {@link Input#key()} to check a whole store key by key.
 *
 * <p>A CAS here compares values. A store whose CAS compares a version (Consul's
 * {@code ?cas=<ModifyIndex>}) maps onto it when no value is ever written twice to the key (no ABA):
 * then "the index is still the one read" and "the value is still the one read" are the same
 * condition, and the caller passes the value it read as {@link Cas#expected()}.
 *
 * <p>States are {@link Value}s; the model is stateless and may be shared between threads.
 *
 * @param <V> the value type, with {@code equals} and {@code hashCode}
 */
public final class RegisterModel<V> implements Model<RegisterModel.Value<V>, RegisterModel.Input<V>, RegisterModel.Output<V>> {

    /** Creates the model. */
    public RegisterModel() {
    }

    /**
     * What the register holds.
     *
     * @param value the value, or {@code null} when the key is absent
     * @param <V>   the value type
     */
    public record Value<V>(V value) {
        @Override
        public String toString() {
            return value == null ? "absent" : String.valueOf(value);
        }
    }

    /** An operation on one key. */
    public sealed interface Input<V> permits Read, Write, Cas, Delete {
        /** The key the operation is on; never {@code null}. */
        String key();
    }

    /**
     * A read; its output is a {@link ReadResult}.
     *
     * @param key the key
     * @param <V> the value type
     */
    public record Read<V>(String key) implements Input<V> {
        /** @throws NullPointerException when {@code key} is null */
        public Read {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * An unconditional write; its output is {@link Ok}.
     *
     * @param key   the key
     * @param value the value written
     * @param <V>   the value type
     */
    public record Write<V>(String key, V value) implements Input<V> {
        /** @throws NullPointerException when an argument is null */
        public Write {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A compare-and-set: writes {@code value} when the register holds {@code expected} (or is absent,
     * when {@code expected} is null); its output is a {@link CasResult}.
     *
     * @param key      the key
     * @param expected the value the register must hold, or {@code null} for "absent"
     * @param value    the value to write
     * @param <V>      the value type
     */
    public record Cas<V>(String key, V expected, V value) implements Input<V> {
        /** @throws NullPointerException when {@code key} or {@code value} is null */
        public Cas {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * An unconditional delete; its output is {@link Ok}.
     *
     * @param key the key
     * @param <V> the value type
     */
    public record Delete<V>(String key) implements Input<V> {
        /** @throws NullPointerException when {@code key} is null */
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    /** What a client was told. */
    public sealed interface Output<V> permits ReadResult, Ok, CasResult {
    }

    /**
     * The answer to a {@link Read}.
     *
     * @param value the value read, or {@code null} when the key was absent
     * @param <V>   the value type
     */
    public record ReadResult<V>(V value) implements Output<V> {
    }

    /**
     * The answer to a {@link Write} or a {@link Delete}: done.
     *
     * @param <V> the value type
     */
    public record Ok<V>() implements Output<V> {
    }

    /**
     * The answer to a {@link Cas}.
     *
     * @param swapped whether the value was written
     * @param <V>     the value type
     */
    public record CasResult<V>(boolean swapped) implements Output<V> {
    }

    @Override
    public Value<V> initialState() {
        return new Value<>(null);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the output is not of the kind the input answers with
     */
    @Override
    public Optional<Value<V>> step(Value<V> state, Input<V> input, Output<V> output) {
        if (input instanceof Read<V>) {
            if (output == null) {
                return Optional.of(state);
            }
            if (!(output instanceof ReadResult<V> r)) {
                throw mismatch(input, output);
            }
            return Objects.equals(r.value(), state.value()) ? Optional.of(state) : Optional.empty();
        }
        if (input instanceof Write<V> w) {
            if (output != null && !(output instanceof Ok<V>)) {
                throw mismatch(input, output);
            }
            return Optional.of(new Value<>(w.value()));
        }
        if (input instanceof Delete<V>) {
            if (output != null && !(output instanceof Ok<V>)) {
                throw mismatch(input, output);
            }
            return Optional.of(new Value<>(null));
        }
        Cas<V> c = (Cas<V>) input;
        boolean holds = Objects.equals(c.expected(), state.value());
        if (output == null) {
            // unknown outcome: whatever the specification does at this point
            return Optional.of(holds ? new Value<>(c.value()) : state);
        }
        if (!(output instanceof CasResult<V> r)) {
            throw mismatch(input, output);
        }
        if (r.swapped() != holds) {
            return Optional.empty();
        }
        return Optional.of(holds ? new Value<>(c.value()) : state);
    }

    @Override
    public String describe(Input<V> input, Output<V> output) {
        String in;
        if (input instanceof Read<V> r) {
            in = "read " + r.key();
        } else if (input instanceof Write<V> w) {
            in = "write " + w.key() + "=" + w.value();
        } else if (input instanceof Delete<V> d) {
            in = "delete " + d.key();
        } else {
            Cas<V> c = (Cas<V>) input;
            in = "cas " + c.key() + " " + (c.expected() == null ? "absent" : c.expected()) + "->" + c.value();
        }
        String out;
        if (output == null) {
            out = "?";
        } else if (output instanceof ReadResult<V> r) {
            out = r.value() == null ? "absent" : String.valueOf(r.value());
        } else if (output instanceof CasResult<V> c) {
            out = String.valueOf(c.swapped());
        } else {
            out = "ok";
        }
        return in + " -> " + out;
    }

    private static IllegalArgumentException mismatch(Object input, Object output) {
        return new IllegalArgumentException("output " + output + " does not answer " + input);
    }
}
