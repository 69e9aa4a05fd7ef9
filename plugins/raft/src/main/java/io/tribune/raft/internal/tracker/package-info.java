/** The leader's per-follower replication progress and flow control. */
package io.tribune.raft.internal.tracker;
