package io.tribune.api.consensus;

import java.util.Optional;

/** The request needs the leader and this server is not it; {@link #leader()} is a hint where to go. */
public class NotLeaderException extends ConsensusException {
    private final transient Optional<ServerInfo> leader;

    public NotLeaderException(Optional<ServerInfo> leader) {
        super(leader.map(l -> "not the leader; the leader is " + l.id() + " at " + l.endpoint())
                .orElse("not the leader, and no leader is known"));
        this.leader = leader;
    }

    /** The current leader if known. */
    public Optional<ServerInfo> leader() {
        return leader;
    }
}
