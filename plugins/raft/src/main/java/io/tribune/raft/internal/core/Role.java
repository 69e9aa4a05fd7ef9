package io.tribune.raft.internal.core;

/** The roles of Raft §5.2, with the pre-candidate of pre-vote (thesis §9.6). */
public enum Role {
    FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER
}
