package io.tribune.client.recipes;

import io.tribune.api.grpc.v1.SessionBehavior;
import io.tribune.api.grpc.v1.SessionCreateRequest;
import io.tribune.client.TribuneClient;
import io.tribune.client.TribuneException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * The session a recipe holds its keys with: either one the caller gave (never renewed or destroyed
 * here), or one the recipe creates for one hold (a TTL session kept alive by a
 * {@link SessionKeepAlive} and destroyed when the hold ends, as Consul's own clients do).
 */
final class RecipeSession {
    /** What a recipe needs to make or use its session. */
    record Options(Optional<String> given, String name, Duration ttl, Duration lockDelay,
                   ScheduledExecutorService scheduler) {
        Options {
            Objects.requireNonNull(given, "given");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(lockDelay, "lockDelay");
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(ttl, "ttl");
        }
    }

    final String id;
    private final TribuneClient client;
    private final SessionKeepAlive keepAlive;

    private RecipeSession(TribuneClient client, String id, SessionKeepAlive keepAlive) {
        this.client = client;
        this.id = id;
        this.keepAlive = keepAlive;
    }

    /**
     * The given session, or a new one kept alive; {@code onLost} is told (once, on the scheduler)
     * when a new one is lost.
     *
     * @throws TribuneException when the session cannot be created
     */
    static RecipeSession open(TribuneClient client, Options o, Consumer<TribuneException> onLost) {
        if (o.given().isPresent()) {
            return new RecipeSession(client, o.given().get(), null);
        }
        String id = client.sessions().create(SessionCreateRequest.newBuilder().setName(o.name())
                .setTtlMillis(o.ttl().toMillis()).setLockDelayMillis(o.lockDelay().toMillis())
                .setBehavior(SessionBehavior.SESSION_BEHAVIOR_RELEASE).build());
        SessionKeepAlive ka = SessionKeepAlive.start(client.sessions(), id, o.ttl(), o.scheduler(),
                (sid, cause) -> onLost.accept(cause));
        return new RecipeSession(client, id, ka);
    }

    /** Whether the recipe made this session (and so destroys it). */
    boolean owned() {
        return keepAlive != null;
    }

    /** Stops renewing and destroys an owned session (best effort: it expires anyway). */
    void close() {
        if (keepAlive == null) {
            return;
        }
        keepAlive.close();
        try {
            client.sessions().destroy(id);
        } catch (TribuneException e) {
            // Unreachable agent: the session's TTL ends it; its locks are released then.
        }
    }
}
