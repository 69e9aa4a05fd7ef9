package io.tribune.api.membership;

import java.util.Objects;

/**
 * A query as a {@link QueryHandler} receives it.
 *
 * @param name    the query name the handler was registered for
 * @param payload the querying node's payload; the handler owns this copy
 * @param origin  the name of the member that sent the query (the local member for its own query)
 */
public record Query(String name, byte[] payload, String origin) {
    public Query {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        payload = payload == null ? new byte[0] : payload;
    }
}
