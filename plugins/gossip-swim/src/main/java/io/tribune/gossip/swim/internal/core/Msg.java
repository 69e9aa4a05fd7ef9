package io.tribune.gossip.swim.internal.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The protocol's messages, named as in the SWIM and Lifeguard papers. Immutable; validated by
 * {@link WireCodec} on decode, and bounded by its limits.
 */
public sealed interface Msg {

    /** Direct probe (SWIM §3.1). {@code target} lets a receiver drop a ping meant for a previous owner of its address. */
    record Ping(long seq, String target, String source, Addr sourceAddr) implements Msg {
        public Ping {
            Objects.requireNonNull(target);
            Objects.requireNonNull(source);
            Objects.requireNonNull(sourceAddr);
        }
    }

    /** Indirect probe request (SWIM §3.1 ping-req); {@code nack} asks for a Nack on timeout (Lifeguard §IV-A). */
    record PingReq(long seq, String target, Addr targetAddr, String source, Addr sourceAddr, boolean nack)
            implements Msg {
        public PingReq {
            Objects.requireNonNull(target);
            Objects.requireNonNull(targetAddr);
            Objects.requireNonNull(source);
            Objects.requireNonNull(sourceAddr);
        }
    }

    /** Answer to a Ping, possibly relayed. */
    record Ack(long seq, String from) implements Msg {
        public Ack {
            Objects.requireNonNull(from);
        }
    }

    /** An indirect prober's "I could not reach the target either" (Lifeguard §IV-A). */
    record Nack(long seq, String from) implements Msg {
        public Nack {
            Objects.requireNonNull(from);
        }
    }

    /** A member is alive at an incarnation, with its address and tags (SWIM §4.2 Alive). */
    record Alive(String name, long incarnation, Addr addr, Map<String, String> tags) implements Msg {
        public Alive {
            Objects.requireNonNull(name);
            Objects.requireNonNull(addr);
            tags = Map.copyOf(tags);
        }
    }

    /** {@code from} suspects {@code name} at an incarnation (SWIM §4.2 Suspect). */
    record Suspect(String name, long incarnation, String from) implements Msg {
        public Suspect {
            Objects.requireNonNull(name);
            Objects.requireNonNull(from);
        }
    }

    /**
     * {@code name} is dead at an incarnation (SWIM §4.2 Confirm). {@code left} marks a graceful
     * leave (sent by the member itself) or a force-leave, which Serf reports as LEFT, not FAILED.
     */
    record Dead(String name, long incarnation, String from, boolean left) implements Msg {
        public Dead {
            Objects.requireNonNull(name);
            Objects.requireNonNull(from);
        }
    }

    /** A Serf user event with its Lamport time. */
    record User(long ltime, String name, byte[] payload, boolean coalesce) implements Msg {
        public User {
            Objects.requireNonNull(name);
            Objects.requireNonNull(payload);
        }
    }

    /**
     * A Serf-style query: disseminated like a user event (piggybacked and re-gossiped a bounded
     * number of times), handled once on every member, answered straight to {@code originAddr}.
     * {@code (origin, id)} identifies it for duplicate suppression; {@code timeoutMillis} is
     * relative, so members need no common clock: each one stops answering that long after it
     * first saw the query. {@code retry} marks a copy the origin sent straight to a member that
     * has not answered: a member that already answered sends its answer again.
     */
    record Query(long id, String origin, Addr originAddr, String name, long timeoutMillis, byte[] payload,
                 boolean retry) implements Msg {
        public Query {
            Objects.requireNonNull(origin);
            Objects.requireNonNull(originAddr);
            Objects.requireNonNull(name);
            Objects.requireNonNull(payload);
        }

        /** A gossiped copy (not a retry). */
        public Query(long id, String origin, Addr originAddr, String name, long timeoutMillis, byte[] payload) {
            this(id, origin, originAddr, name, timeoutMillis, payload, false);
        }

        /** This query with the retry mark set or cleared. */
        public Query withRetry(boolean r) {
            return new Query(id, origin, originAddr, name, timeoutMillis, payload, r);
        }
    }

    /**
     * One member's answer to a {@link Query}, sent in a UDP packet to the query's origin:
     * {@code answer} when {@code failure} is null, otherwise the handler's failure message (and an
     * empty answer).
     */
    record QueryAnswer(long id, String from, byte[] answer, String failure) implements Msg {
        public QueryAnswer {
            Objects.requireNonNull(from);
            Objects.requireNonNull(answer);
            if (failure != null && answer.length > 0) {
                throw new IllegalArgumentException("a failed answer carries no answer bytes");
            }
        }
    }

    /**
     * The sender's network coordinate, sent with an Ack so that the prober can relax its own
     * coordinate against the measured round trip (Vivaldi, carried on probes as Serf does).
     */
    record Coord(String name, Vivaldi.Coordinate coordinate) implements Msg {
        public Coord {
            Objects.requireNonNull(name);
            Objects.requireNonNull(coordinate);
        }
    }

    /** Full state exchanged over a stream (push-pull, memberlist's anti-entropy). */
    record PushPull(boolean join, List<MemberState> states, long eventClock) implements Msg {
        public PushPull {
            states = List.copyOf(states);
        }
    }

    /** One member in a {@link PushPull}. */
    record MemberState(String name, Addr addr, long incarnation, State state, Map<String, String> tags) {
        public MemberState {
            Objects.requireNonNull(name);
            Objects.requireNonNull(addr);
            Objects.requireNonNull(state);
            tags = Map.copyOf(tags);
        }
    }

    /** A member's protocol state. */
    enum State {
        ALIVE, SUSPECT, DEAD, LEFT
    }
}
