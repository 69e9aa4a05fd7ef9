package io.tribune.agent.rpc;

import io.tribune.state.CommandValidator;
import io.tribune.state.EventRecord;
import java.util.List;
import java.util.Objects;

/** User events (Consul's {@code consul event}). */
public final class Events {
    private Events() {
    }

    /**
     * Records a user event through consensus (so every server lists it) and broadcasts it on the LAN
     * gossip pool (so every agent's watchers hear it); answers the event as recorded. Its id is
     * derived from the request's client request id, so a retry records nothing more.
     */
    public record Fire(String name, byte[] payload, String nodeFilter, String serviceFilter, String tagFilter)
            implements Op.Write<EventRecord> {
        public Fire {
            Fields.name("event name", name);
            Objects.requireNonNull(payload, "payload");
            if (payload.length > CommandValidator.MAX_EVENT_PAYLOAD_BYTES) {
                throw new AgentException(AgentException.Kind.TOO_LARGE, "User event payload too large: "
                        + payload.length + " bytes, the limit is " + CommandValidator.MAX_EVENT_PAYLOAD_BYTES + " bytes");
            }
            Fields.optionalName("node filter", nodeFilter);
            Fields.optionalName("service filter", serviceFilter);
            Fields.optionalName("tag filter", tagFilter);
        }
    }

    /** The recorded events named {@code name} ("" for every name), oldest first. */
    public record Named(String name) implements Op.Read<List<EventRecord>> {
        public Named {
            Fields.optionalName("event name", name);
        }
    }
}
