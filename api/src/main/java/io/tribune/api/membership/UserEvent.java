package io.tribune.api.membership;

import java.util.Objects;

/**
 * A user event broadcast to every member of the pool (Consul's {@code consul event}).
 *
 * @param name        event name
 * @param payload     opaque payload; plugins cap the size of name and payload together and say so
 * @param lamportTime the event clock value it was sent at; receivers drop duplicates by (name, time)
 * @param coalesce    whether receivers may deliver only the newest event of this name
 */
public record UserEvent(String name, byte[] payload, long lamportTime, boolean coalesce) {
    public UserEvent {
        Objects.requireNonNull(name, "name");
        payload = payload == null ? new byte[0] : payload;
    }
}
