package io.tribune.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * A store driven like a consensus plugin would: every command goes through encode, apply at the
 * next index, and decode of the result bytes. Notifications queue in {@link #pending} until
 * {@link #drain()} runs them, so tests see that apply itself completes nothing.
 */
final class Harness {
    final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    final Executor queued = pending::add;
    final StateStore store = new StateStore(queued);
    long index;

    static final String S1 = "11111111-1111-1111-1111-111111111111";
    static final String S2 = "22222222-2222-2222-2222-222222222222";

    CommandResult run(Command c) {
        index++;
        return CommandResult.decode(store.apply(index, 1, c.encode()));
    }

    /** Runs queued notifications; returns how many tasks ran. */
    int drain() {
        int n = 0;
        while (!pending.isEmpty()) {
            pending.poll().run();
            n++;
        }
        return n;
    }

    boolean put(String key, String value) {
        return bool(run(new Command.KvSet(key, bytes(value), 0, OptionalLong.empty())));
    }

    boolean cas(String key, String value, long cas) {
        return bool(run(new Command.KvSet(key, bytes(value), 0, OptionalLong.of(cas))));
    }

    boolean delete(String key) {
        return bool(run(new Command.KvDelete(key, OptionalLong.empty())));
    }

    CommandResult acquire(String key, String value, String session, long now) {
        return run(new Command.KvAcquire(key, bytes(value), 0, session, now));
    }

    boolean release(String key, String value, String session) {
        return bool(run(new Command.KvRelease(key, bytes(value), 0, session)));
    }

    KvEntry get(String key) {
        return store.kvGet(key).value().orElse(null);
    }

    String value(String key) {
        KvEntry e = get(key);
        return e == null ? null : new String(e.value(), StandardCharsets.UTF_8);
    }

    void node(String name) {
        ok(run(new Command.Register(Node.of(name, "10.0.0.1"), Optional.empty(), List.of(), 0)));
    }

    void nodeWithCheck(String name, String check, HealthStatus status) {
        ok(run(new Command.Register(Node.of(name, "10.0.0.1"), Optional.empty(),
                List.of(HealthCheck.of(name, check, status, "")), 0)));
    }

    void session(String id, String node, SessionBehavior behavior, long lockDelayMillis, long ttlMillis,
                 List<String> checks, long now) {
        ok(run(new Command.SessionCreate(new Session(id, "s", node, lockDelayMillis, behavior, ttlMillis, checks, now,
                0, 0))));
    }

    static boolean bool(CommandResult r) {
        if (r instanceof CommandResult.Bool b) {
            return b.value();
        }
        throw new AssertionError("expected a Bool result, got " + r);
    }

    static void ok(CommandResult r) {
        if (!(r instanceof CommandResult.Done)) {
            throw new AssertionError("expected Done, got " + r);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> noMeta() {
        return Map.of();
    }
}
