/** The Raft driver: threads, timers, storage and transport around the I/O-free core. */
package io.tribune.raft.internal.driver;
