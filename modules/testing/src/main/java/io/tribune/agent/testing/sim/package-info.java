/**
 * Deterministic simulation of whole agents: {@link io.tribune.agent.testing.sim.SimCluster} runs
 * servers and clients on one seeded {@link io.tribune.testkit.SimScheduler} and virtual clock, so
 * that a run is a pure function of its seed; {@link io.tribune.agent.testing.sim.SimPool} is the
 * gossip pool they share (plugin {@code membership-sim}), a simulation double of gossip with
 * failures declared by the test. Single-threaded: a simulation is driven and inspected from one
 * thread, by running the scheduler until a condition holds or a virtual deadline passes.
 */
package io.tribune.agent.testing.sim;
