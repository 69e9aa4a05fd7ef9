package io.tribune.agent.rpc;

import java.util.List;

/** What a server knows of its cluster (Consul's {@code Status.*}). */
public final class Status {
    private Status() {
    }

    /** The leader's server RPC address ({@code host:port}), or "" when none is known. */
    public record Leader() implements Op.ServerOp<String> {
    }

    /** The server RPC addresses of the voters. */
    public record Peers() implements Op.ServerOp<List<String>> {
    }
}
