package io.tribune.agent.rpc;

import io.tribune.state.BlockingWait;
import io.tribune.state.CommandValidator;
import io.tribune.state.Session;
import io.tribune.state.SessionBehavior;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Session operations (Consul's {@code Session.*}). */
public final class Sessions {
    /** Consul's default lock-delay when the request names none: 15 s. */
    public static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);

    private Sessions() {
    }

    /**
     * Creates a session and answers its id. The id is derived from the request's client request id,
     * so a retry of the same request names the same session and creates nothing more.
     *
     * @param name       display name
     * @param node       the node it belongs to; "" for the agent where the request entered (Consul's
     *                   default: the agent the caller talks to, also when a server serves it)
     * @param lockDelay  how long a lock released by invalidation cannot be re-acquired (at most 60 s)
     * @param behavior   what invalidation does to its locks
     * @param ttl        zero for none; otherwise 10 s to 24 h: renewed within it or invalidated
     * @param nodeChecks the checks it binds to; empty: the node's {@code serfHealth}
     */
    public record Create(String name, String node, Duration lockDelay, SessionBehavior behavior, Duration ttl,
                         Optional<List<String>> nodeChecks) implements Op.Write<String> {
        public Create {
            Fields.optionalName("session name", name);
            Fields.optionalName("node name", node);
            Objects.requireNonNull(behavior, "behavior");
            Objects.requireNonNull(lockDelay, "lockDelay");
            Objects.requireNonNull(ttl, "ttl");
            if (lockDelay.isNegative() || lockDelay.toMillis() > CommandValidator.MAX_LOCK_DELAY_MILLIS) {
                throw AgentException.badRequest("Invalid LockDelay '" + BlockingWait.formatDuration(lockDelay)
                        + "': must be at most "
                        + BlockingWait.formatDuration(Duration.ofMillis(CommandValidator.MAX_LOCK_DELAY_MILLIS)));
            }
            if (!ttl.isZero() && (ttl.toMillis() < CommandValidator.MIN_SESSION_TTL_MILLIS
                    || ttl.toMillis() > CommandValidator.MAX_SESSION_TTL_MILLIS)) {
                throw AgentException.badRequest("Invalid Session TTL '" + BlockingWait.formatDuration(ttl)
                        + "', must be between ["
                        + BlockingWait.formatDuration(Duration.ofMillis(CommandValidator.MIN_SESSION_TTL_MILLIS)) + "="
                        + BlockingWait.formatDuration(Duration.ofMillis(CommandValidator.MAX_SESSION_TTL_MILLIS)) + "]");
            }
            nodeChecks = nodeChecks.map(List::copyOf);
            nodeChecks.ifPresent(l -> {
                if (l.size() > CommandValidator.MAX_CHECKS) {
                    throw AgentException.badRequest("too many node checks (" + l.size() + " > "
                            + CommandValidator.MAX_CHECKS + ")");
                }
                l.forEach(c -> Fields.name("check ID", c));
            });
        }
    }

    /** Destroys a session, releasing (or deleting) its locks; answers whether it existed. */
    public record Destroy(String id) implements Op.Write<Boolean> {
        public Destroy {
            Fields.sessionId(id);
        }
    }

    /** Renews a session's TTL; answers the renewed session, empty when it does not exist. */
    public record Renew(String id) implements Op.Write<Optional<Session>> {
        public Renew {
            Fields.sessionId(id);
        }
    }

    /** One session, if it exists. */
    public record Info(String id) implements Op.Read<Optional<Session>> {
        public Info {
            Fields.sessionId(id);
        }
    }

    /** The sessions of one node. */
    public record OfNode(String node) implements Op.Read<List<Session>> {
        public OfNode {
            Fields.name("node name", node);
        }
    }

    /** Every session. */
    public record All() implements Op.Read<List<Session>> {
    }
}
