/**
 * Whole agents in one JVM, for tests of the agent and of its front ends: {@link
 * io.tribune.agent.testing.TestCluster}, a JUnit extension that starts real servers and clients on
 * real time with in-process transports, and {@link io.tribune.agent.testing.WireFaults}, fault
 * injection on the agents' RPC wire, and {@link io.tribune.agent.testing.sim.SimCluster}, whole
 * agents simulated on one seeded scheduler with a simulated gossip pool
 * ({@link io.tribune.agent.testing.sim.SimPool}, plugin {@code membership-sim}). Plugins are found
 * on the test's class path.
 */
module io.tribune.agent.testing {
    requires transitive io.tribune.agent;
    requires transitive io.tribune.testkit;
    requires transitive org.junit.jupiter.api;
    requires com.google.protobuf;

    exports io.tribune.agent.testing;
    exports io.tribune.agent.testing.sim;
}
