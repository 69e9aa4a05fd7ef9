/**
 * The Raft driver around the I/O-free core: {@code RaftConsensus} (the SPI face and lifecycle),
 * {@link io.tribune.raft.internal.driver.ReadyLoop} (the cycle that carries out the core's Ready,
 * behind small disk, machine, network and clock interfaces, so the simulation runs it too),
 * {@code StorageDisk} and {@code HostMachine} (the loop's disk and machine over the SPIs),
 * {@code PeerLinks} (message streams and unary fallback) and {@code SnapshotShipping}
 * (InstallSnapshot streams).
 */
package io.tribune.raft.internal.driver;
