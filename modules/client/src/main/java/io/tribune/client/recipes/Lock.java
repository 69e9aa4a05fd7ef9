package io.tribune.client.recipes;

import com.google.protobuf.ByteString;
import io.tribune.api.grpc.v1.Consistency;
import io.tribune.api.grpc.v1.KvEntry;
import io.tribune.api.grpc.v1.KvPutRequest;
import io.tribune.api.grpc.v1.KvPutResponse;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.client.TribuneClient;
import io.tribune.client.TribuneException;
import io.tribune.client.Watch;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A distributed mutual-exclusion lock on one KV key, held by a session (Consul's lock algorithm:
 * {@code acquire} the key for the session, wait on the key while another session holds it).
 * Compatible with Consul's clients and {@code consul lock PREFIX} (whose key is
 * {@code PREFIX/.lock}): the key carries Consul's lock flag value {@value #FLAGS_HEX}, and a key with
 * other flags is refused as being used by something else.
 *
 * <pre>{@code
 * Lock lock = new Lock(client, "service/billing/lock", "host-a".getBytes(UTF_8),
 *         RecipeOptions.defaults().withOnLost(reason -> stopWork()));
 * if (lock.acquire(Duration.ofSeconds(30))) {
 *     try { work(); } finally { lock.release(); }
 * }
 * }</pre>
 *
 * <p><b>Safety.</b> Holding the lock means the servers recorded the key as held by this lock's
 * session; the lock is lost (and the {@link LostListener} told, once) when the session ends, the key
 * is deleted or released by someone else, or the watch that guards it fails. Between the loss and the
 * listener call another holder may already act: protect the resource with the key's
 * {@code lock_index} or {@code modify_index} as a fencing token if that matters. With the default
 * lock-delay, a key freed by an invalidated session can be taken only after that delay.
 *
 * <p><b>Threads.</b> Thread-safe. One {@link #acquire} at a time ({@code IllegalStateException}
 * otherwise); {@link #isHeld()}, {@link #release()} and {@link #close()} from any thread.
 * {@code acquire} blocks its caller; the guard runs on gRPC threads.
 */
public final class Lock implements AutoCloseable {
    /** Consul's flag value marking a key as a lock (its {@code api.LockFlagValue}). */
    public static final long FLAGS = 0x2ddccbc058a50c18L;
    static final String FLAGS_HEX = "0x2ddccbc058a50c18";

    private final TribuneClient client;
    private final String key;
    private final ByteString value;
    private final RecipeOptions options;
    private final Holds holds;

    /**
     * A lock on {@code key} whose holder writes {@code value} there (e.g. its address; readers such
     * as {@link LeaderElection#leader()} see it). Nothing is sent before {@link #acquire}.
     *
     * @throws IllegalArgumentException for an empty key
     */
    public Lock(TribuneClient client, String key, byte[] value, RecipeOptions options) {
        this.client = Objects.requireNonNull(client, "client");
        this.key = Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("the lock key must not be empty");
        }
        this.value = ByteString.copyFrom(Objects.requireNonNull(value, "value"));
        this.options = Objects.requireNonNull(options, "options");
        this.holds = new Holds("lock on '" + key + "'", options.onLost());
    }

    /** The key. */
    public String key() {
        return key;
    }

    TribuneClient client() {
        return client;
    }

    /**
     * Takes the lock, waiting at most {@code timeout} while another session holds it.
     *
     * @return true when held; false when the time ran out (nothing is left behind: a session made
     *         for this attempt is destroyed)
     * @throws IllegalStateException when the lock is already held or being acquired, or the key is
     *                               used by something other than a lock (other flags)
     * @throws TribuneException      when the agent fails the calls (e.g. UNAVAILABLE, PERMISSION_DENIED)
     * @throws InterruptedException  when interrupted while waiting (nothing is held then)
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        long deadline = deadline(timeout);
        long gen = holds.begin();
        RecipeSession session = null;
        boolean held = false;
        try {
            session = RecipeSession.open(client, options.sessionOptions(),
                    cause -> holds.lost(gen, "session lost: " + cause.getMessage()));
            try (Watch<KvWatchEvent> w = client.kv().watch(watchRequest(0))) {
                // Unknown until the first message: try at once (the common case is a free key).
                boolean mayBeFree = true;
                while (true) {
                    if (mayBeFree) {
                        Optional<Long> index = tryAcquire(session.id);
                        if (index.isPresent()) {
                            startHold(gen, session, index.get());
                            held = true;
                            return true;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    Optional<KvWatchEvent> ev = w.poll(Duration.ofNanos(Math.min(left,
                            options.retryInterval().toNanos())));
                    // No change within the retry interval: try again (a lock-delay may have ended).
                    mayBeFree = ev.isEmpty() || free(ev.get());
                }
            }
        } finally {
            holds.endAttempt();
            if (!held && session != null) {
                session.close();
            }
        }
    }

    /** Takes the lock, waiting as long as it takes; see {@link #acquire(Duration)}. */
    public void acquire() throws InterruptedException {
        acquire(Duration.ofNanos(Long.MAX_VALUE));
    }

    static long deadline(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        long now = System.nanoTime();
        long n = timeout.compareTo(Duration.ofDays(365)) > 0 ? TimeUnit.DAYS.toNanos(365) : timeout.toNanos();
        return now + n;
    }

    private boolean free(KvWatchEvent ev) {
        if (ev.getEntriesCount() == 0) {
            return true;
        }
        KvEntry e = ev.getEntries(0);
        if (e.getFlags() != FLAGS) {
            throw new IllegalStateException("key '" + key + "' is in use by something other than a lock (flags "
                    + Long.toHexString(e.getFlags()) + ", a lock has " + FLAGS_HEX + ")");
        }
        return e.getSession().isEmpty();
    }

    /** The commit index of a successful acquire, or empty when another session holds the key. */
    private Optional<Long> tryAcquire(String session) {
        KvPutResponse r = Recipes.await(client.kv().putAsync(KvPutRequest.newBuilder().setKey(key).setValue(value)
                .setFlags(FLAGS).setAcquire(session).build()));
        return r.getSucceeded() ? Optional.of(r.getMeta().getIndex()) : Optional.empty();
    }

    /** A watch of the key read from the leader (never stale: the guard must not see the past). */
    private KvWatchRequest watchRequest(long minIndex) {
        return KvWatchRequest.newBuilder().setKey(key).setMinIndex(minIndex)
                .setRead(ReadOptions.newBuilder().setConsistency(Consistency.CONSISTENCY_DEFAULT)).build();
    }

    private void startHold(long gen, RecipeSession session, long index) {
        String id = session.id;
        holds.start(gen, session, l -> client.kv().watch(watchRequest(index - 1), l), ev ->
                ev.getEntriesCount() == 0 ? Optional.of("the key was deleted")
                        : ev.getEntries(0).getSession().equals(id) ? Optional.empty()
                        : Optional.of("the key is no longer held by session " + id));
    }

    /** Whether the lock is held (as far as this client knows: see the class's safety note). */
    public boolean isHeld() {
        return holds.isHeld();
    }

    /** The session holding the lock, while held. */
    public Optional<String> session() {
        return holds.session();
    }

    /**
     * Releases the lock (the key stays, without a holder) and ends a session made for it.
     *
     * @return false when it was not held
     * @throws TribuneException when the release call fails; the hold is ended here anyway and a
     *                          session made for it destroyed (or left to expire), which frees the key
     */
    public boolean release() {
        Holds.Hold h = holds.take();
        if (h == null) {
            return false;
        }
        try {
            Recipes.await(client.kv().putAsync(KvPutRequest.newBuilder().setKey(key).setValue(value).setFlags(FLAGS)
                    .setRelease(h.session.id).build()));
        } finally {
            h.session.close();
        }
        return true;
    }

    /** Releases the lock if held. Idempotent. */
    @Override
    public void close() {
        try {
            release();
        } catch (TribuneException e) {
            // The session made for the hold was destroyed or expires: the key is freed without us.
        }
    }
}
