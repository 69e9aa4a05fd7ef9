/**
 * Deterministic simulation of whole agents: {@link io.tribune.agent.testing.sim.SimCluster} runs
 * servers and clients on one seeded {@link io.tribune.testkit.SimScheduler} and virtual clock, so
 * that a run is a pure function of its seed; {@link io.tribune.agent.testing.sim.SimPool} is the
 * gossip pool they share (plugin {@code membership-sim}), a simulation double of gossip with
 * failures and partitions declared by the test; {@link io.tribune.agent.testing.sim.SimNetwork}
 * the network between them (latency, loss, one-way cuts); {@link io.tribune.agent.testing.sim.SimHost}
 * each agent's machine (a drifting clock, a power switch); {@link io.tribune.agent.testing.sim.SimDisk}
 * the servers' disks, which outlive a crash. Single-threaded: a simulation is driven and inspected from one
 * thread, by running the scheduler until a condition holds or a virtual deadline passes.
 */
package io.tribune.agent.testing.sim;
