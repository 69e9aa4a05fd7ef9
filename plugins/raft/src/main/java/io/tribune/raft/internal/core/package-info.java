/**
 * The I/O-free Raft core: messages, ticks and proposals in; a {@link io.tribune.raft.internal.core.Ready}
 * of effects out. No threads, clocks, sockets or files.
 */
package io.tribune.raft.internal.core;
