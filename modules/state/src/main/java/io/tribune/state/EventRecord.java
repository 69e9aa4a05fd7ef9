package io.tribune.state;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user event, with the fields of Consul's {@code /v1/event/list} JSON.
 *
 * @param id            UUID chosen by the proposer ({@code ID})
 * @param name          event name ({@code Name})
 * @param payload       opaque payload ({@code Payload}); copied
 * @param nodeFilter    regular expression on node names, or "" ({@code NodeFilter})
 * @param serviceFilter regular expression on service names, or "" ({@code ServiceFilter})
 * @param tagFilter     regular expression on tags, or "" ({@code TagFilter})
 * @param ltime         the raft index that recorded it, used as its Lamport time ({@code LTime})
 */
public record EventRecord(String id, String name, byte[] payload, String nodeFilter, String serviceFilter,
                          String tagFilter, long ltime) {

    /** Copies the payload and replaces nulls. */
    public EventRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        payload = payload == null ? new byte[0] : payload.clone();
        nodeFilter = nodeFilter == null ? "" : nodeFilter;
        serviceFilter = serviceFilter == null ? "" : serviceFilter;
        tagFilter = tagFilter == null ? "" : tagFilter;
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** This event with another ltime. */
    public EventRecord withLtime(long l) {
        return new EventRecord(id, name, payload, nodeFilter, serviceFilter, tagFilter, l);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventRecord e && id.equals(e.id) && name.equals(e.name) && Arrays.equals(payload, e.payload)
                && nodeFilter.equals(e.nodeFilter) && serviceFilter.equals(e.serviceFilter)
                && tagFilter.equals(e.tagFilter) && ltime == e.ltime;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, Arrays.hashCode(payload), nodeFilter, serviceFilter, tagFilter, ltime);
    }

    @Override
    public String toString() {
        return "EventRecord[id=" + id + ", name=" + name + ", payload=" + payload.length + " bytes, ltime=" + ltime + "]";
    }
}
