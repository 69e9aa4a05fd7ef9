/** Majority arithmetic (pure). */
package io.tribune.raft.internal.quorum;
