package io.tribune.api.membership;

import java.util.Map;
import java.util.Objects;

/**
 * A member of a pool.
 *
 * @param name        unique node name in the pool
 * @param host        the address its gossip listens on
 * @param port        the gossip port
 * @param tags        key/value tags (role, dc, ports, build); immutable copy
 * @param status      the local view of its state
 * @param incarnation the member's own version counter of its state (SWIM's incarnation number)
 */
public record Member(String name, String host, int port, Map<String, String> tags, MemberStatus status,
                     long incarnation) {
    public Member {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(status, "status");
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** A tag value or {@code null}. */
    public String tag(String key) {
        return tags.get(key);
    }
}
