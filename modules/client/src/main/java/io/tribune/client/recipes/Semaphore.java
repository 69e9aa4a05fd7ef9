package io.tribune.client.recipes;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.tribune.api.grpc.v1.Consistency;
import io.tribune.api.grpc.v1.KvDeleteRequest;
import io.tribune.api.grpc.v1.KvEntry;
import io.tribune.api.grpc.v1.KvListRequest;
import io.tribune.api.grpc.v1.KvListResponse;
import io.tribune.api.grpc.v1.KvPutRequest;
import io.tribune.api.grpc.v1.KvPutResponse;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.client.TribuneClient;
import io.tribune.client.TribuneException;
import io.tribune.client.Watch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A distributed counting semaphore: at most {@code limit} sessions hold it at once. It keeps Consul's
 * semaphore layout, so it interoperates with Consul's clients and {@code consul lock -n LIMIT PREFIX}:
 *
 * <ul>
 *   <li>{@code PREFIX/<session>}: each contender's entry, acquired by its session (so it vanishes
 *       from the holders when the session ends), with Consul's semaphore flag value
 *       {@value #FLAGS_HEX};</li>
 *   <li>{@code PREFIX/.lock}: the JSON {@code {"Limit": N, "Holders": {"<session>": true, ...}}},
 *       same flags, changed only by check-and-set. A contender takes a slot by adding itself to
 *       {@code Holders} while fewer than {@code Limit} live contenders are in it (holders whose
 *       contender entry has no session any more are pruned on the way), and frees it by removing
 *       itself.</li>
 * </ul>
 *
 * <p>Every contender must use the same limit: a {@code .lock} with another limit is refused with
 * {@code IllegalStateException}, as are keys with other flags.
 *
 * <p><b>Safety, threads, failures</b>: as {@link Lock}'s. The hold is lost (listener told once) when
 * the session ends or {@code .lock} no longer lists the session. One {@link #acquire} at a time;
 * {@link #isHeld()}, {@link #release()}, {@link #close()} from any thread.
 */
public final class Semaphore implements AutoCloseable {
    /** Consul's flag value marking semaphore keys (its {@code api.SemaphoreFlagValue}). */
    public static final long FLAGS = 0xe0f69a2baa414de0L;
    static final String FLAGS_HEX = "0xe0f69a2baa414de0";
    /** The name of the coordination key under the prefix (Consul's {@code .lock}). */
    public static final String LOCK_KEY = ".lock";
    /** Largest limit accepted: the {@code .lock} value must stay small. */
    public static final int MAX_LIMIT = 1024;

    private final TribuneClient client;
    private final String prefix;
    private final int limit;
    private final ByteString value;
    private final RecipeOptions options;
    private final Holds holds;

    /** What {@code .lock} says, with the index to check-and-set it (0: absent). */
    record LockState(int limit, Set<String> holders, long modifyIndex) {
        /** The JSON Consul's semaphore writes. */
        byte[] json() {
            JsonObject o = new JsonObject();
            o.addProperty("Limit", limit);
            JsonObject h = new JsonObject();
            holders.forEach(s -> h.addProperty(s, true));
            o.add("Holders", h);
            return o.toString().getBytes(StandardCharsets.UTF_8);
        }

        /**
         * Reads a {@code .lock} value.
         *
         * @throws IllegalStateException when it is not the semaphore's JSON
         */
        static LockState parse(byte[] value, long modifyIndex) {
            try {
                JsonElement e = JsonParser.parseString(new String(value, StandardCharsets.UTF_8));
                JsonObject o = e.getAsJsonObject();
                int limit = o.get("Limit").getAsInt();
                Set<String> holders = new TreeSet<>();
                JsonElement h = o.get("Holders");
                if (h != null && h.isJsonObject()) {
                    h.getAsJsonObject().entrySet().forEach(x -> {
                        if (x.getValue().isJsonPrimitive() && x.getValue().getAsBoolean()) {
                            holders.add(x.getKey());
                        }
                    });
                }
                return new LockState(limit, holders, modifyIndex);
            } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException
                     | NumberFormatException | ClassCastException ex) {
                throw new IllegalStateException("the semaphore's .lock key does not hold its JSON ({\"Limit\": N, "
                        + "\"Holders\": {...}}): " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * A semaphore under {@code prefix} (a trailing '/' is ignored) admitting {@code limit} holders;
     * each holder writes {@code value} in its contender entry. Nothing is sent before {@link #acquire}.
     *
     * @throws IllegalArgumentException for an empty prefix or a limit outside 1..{@value #MAX_LIMIT}
     */
    public Semaphore(TribuneClient client, String prefix, int limit, byte[] value, RecipeOptions options) {
        this.client = Objects.requireNonNull(client, "client");
        String p = Objects.requireNonNull(prefix, "prefix");
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            throw new IllegalArgumentException("the semaphore prefix must not be empty");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
        }
        this.prefix = p;
        this.limit = limit;
        this.value = ByteString.copyFrom(Objects.requireNonNull(value, "value"));
        this.options = Objects.requireNonNull(options, "options");
        this.holds = new Holds("semaphore '" + p + "'", options.onLost());
    }

    private String lockKey() {
        return prefix + "/" + LOCK_KEY;
    }

    private String contenderKey(String session) {
        return prefix + "/" + session;
    }

    private static ReadOptions leaderRead() {
        return ReadOptions.newBuilder().setConsistency(Consistency.CONSISTENCY_DEFAULT).build();
    }

    /**
     * Takes a slot, waiting at most {@code timeout} while {@code limit} others hold one.
     *
     * @return true when held; false when the time ran out (the contender entry and a session made for
     *         this attempt are removed)
     * @throws IllegalStateException when already held or being acquired, when {@code .lock} has another
     *                               limit, or the keys are used by something else
     * @throws TribuneException      when the agent fails the calls
     * @throws InterruptedException  when interrupted while waiting (nothing is held then)
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        long deadline = Lock.deadline(timeout);
        long gen = holds.begin();
        RecipeSession session = null;
        boolean held = false;
        try {
            session = RecipeSession.open(client, options.sessionOptions(),
                    cause -> holds.lost(gen, "session lost: " + cause.getMessage()));
            String id = session.id;
            KvPutResponse c = Recipes.await(client.kv().putAsync(KvPutRequest.newBuilder().setKey(contenderKey(id))
                    .setValue(value).setFlags(FLAGS).setAcquire(id).build()));
            if (!c.getSucceeded()) {
                throw new IllegalStateException("cannot create the contender entry " + contenderKey(id)
                        + " (is the session valid and not in a lock-delay?)");
            }
            try (Watch<KvWatchEvent> w = client.kv().watch(KvWatchRequest.newBuilder().setKey(prefix + "/")
                    .setPrefix(true).setRead(leaderRead()).build())) {
                while (true) {
                    if (tryTakeSlot(id)) {
                        startHold(gen, session);
                        held = true;
                        return true;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    // Wait for a change under the prefix (a holder leaving, a session ending); the
                    // first message is the current state, which costs one extra look.
                    w.poll(Duration.ofNanos(Math.min(left, options.retryInterval().toNanos())));
                }
            }
        } finally {
            holds.endAttempt();
            if (!held && session != null) {
                try {
                    Recipes.await(client.kv().deleteAsync(KvDeleteRequest.newBuilder()
                            .setKey(contenderKey(session.id)).build()));
                } catch (TribuneException e) {
                    // The session's end below releases the entry; an orphan entry without a session
                    // counts as no contender.
                } finally {
                    session.close();
                }
            }
        }
    }

    /** Takes the semaphore, waiting as long as it takes; see {@link #acquire(Duration)}. */
    public void acquire() throws InterruptedException {
        acquire(Duration.ofNanos(Long.MAX_VALUE));
    }

    /** The {@code .lock} state and the live contenders, read from the servers' leader. */
    private LockState read(Set<String> live) {
        KvListResponse r = Recipes.await(client.kv().listAsync(KvListRequest.newBuilder().setPrefix(prefix + "/")
                .setRead(leaderRead()).build()));
        LockState state = new LockState(limit, new TreeSet<>(), 0);
        for (KvEntry e : r.getEntriesList()) {
            if (e.getKey().equals(lockKey())) {
                if (e.getFlags() != FLAGS) {
                    throw new IllegalStateException("key '" + e.getKey() + "' is in use by something other than a "
                            + "semaphore (flags " + Long.toHexString(e.getFlags()) + ", a semaphore has " + FLAGS_HEX
                            + ")");
                }
                state = LockState.parse(e.getValue().toByteArray(), e.getModifyIndex());
            } else if (!e.getSession().isEmpty()) {
                live.add(e.getSession());
            }
        }
        if (state.limit() != limit) {
            throw new IllegalStateException("semaphore '" + prefix + "' has limit " + state.limit()
                    + " in its .lock key; this contender uses " + limit + " (all must agree)");
        }
        return state;
    }

    /** Check-and-set rounds until {@code id} is among the holders (true) or the slots are full (false). */
    private boolean tryTakeSlot(String id) {
        // Each lost race means another contender's write committed, so this ends; the bound only
        // guards against a misbehaving writer.
        for (int attempt = 0; attempt < 64; attempt++) {
            Optional<Boolean> r = takeSlotOnce(id);
            if (r.isPresent()) {
                return r.get();
            }
        }
        return false;
    }

    /** One check-and-set round: whether {@code id} holds a slot, or empty after a lost race. */
    private Optional<Boolean> takeSlotOnce(String id) {
        Set<String> live = new TreeSet<>();
        LockState s = read(live);
        Set<String> holders = new TreeSet<>(s.holders());
        // Holders whose contender entry lost its session are gone (crashed or released).
        holders.retainAll(live);
        if (holders.contains(id)) {
            return Optional.of(true);
        }
        if (holders.size() >= limit) {
            return Optional.of(false);
        }
        holders.add(id);
        LockState next = new LockState(limit, holders, s.modifyIndex());
        KvPutResponse r = Recipes.await(client.kv().putAsync(KvPutRequest.newBuilder().setKey(lockKey())
                .setValue(ByteString.copyFrom(next.json())).setFlags(FLAGS).setCas(s.modifyIndex()).build()));
        // A lost race (another contender changed .lock): read again at once.
        return r.getSucceeded() ? Optional.of(true) : Optional.empty();
    }

    private void startHold(long gen, RecipeSession session) {
        String id = session.id;
        holds.start(gen, session, l -> client.kv().watch(KvWatchRequest.newBuilder().setKey(lockKey())
                .setRead(leaderRead()).build(), l), ev -> {
                    if (ev.getEntriesCount() == 0) {
                        return Optional.of("the .lock key was deleted");
                    }
                    KvEntry e = ev.getEntries(0);
                    try {
                        return LockState.parse(e.getValue().toByteArray(), e.getModifyIndex()).holders().contains(id)
                                ? Optional.empty() : Optional.of("the .lock key no longer lists session " + id);
                    } catch (IllegalStateException bad) {
                        return Optional.of(bad.getMessage());
                    }
                });
    }

    /** Whether a slot is held (as far as this client knows). */
    public boolean isHeld() {
        return holds.isHeld();
    }

    /** The session holding the slot, while held. */
    public Optional<String> session() {
        return holds.session();
    }

    /**
     * Frees the slot: removes the session from {@code .lock} (check-and-set, retried on races),
     * deletes the contender entry and ends a session made for the hold.
     *
     * @return false when not held
     * @throws TribuneException when a call fails; the hold ends here anyway, and a session made for it
     *                          is destroyed (or expires), after which other contenders prune it
     */
    public boolean release() {
        Holds.Hold h = holds.take();
        if (h == null) {
            return false;
        }
        String id = h.session.id;
        try {
            for (int attempt = 0; attempt < 64; attempt++) {
                LockState s = read(new TreeSet<>());
                if (s.modifyIndex() == 0 || !s.holders().contains(id)) {
                    break;
                }
                Set<String> holders = new TreeSet<>(s.holders());
                holders.remove(id);
                KvPutResponse r = Recipes.await(client.kv().putAsync(KvPutRequest.newBuilder().setKey(lockKey())
                        .setValue(ByteString.copyFrom(new LockState(limit, holders, 0).json())).setFlags(FLAGS)
                        .setCas(s.modifyIndex()).build()));
                if (r.getSucceeded()) {
                    break;
                }
            }
            Recipes.await(client.kv().deleteAsync(KvDeleteRequest.newBuilder().setKey(contenderKey(id)).build()));
        } finally {
            h.session.close();
        }
        return true;
    }

    /** Releases the slot if held. Idempotent. */
    @Override
    public void close() {
        try {
            release();
        } catch (TribuneException | IllegalStateException e) {
            // The session made for the hold ends; other contenders prune it from .lock.
        }
    }
}
