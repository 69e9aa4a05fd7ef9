/**
 * The consensus conformance kit: abstract JUnit 5 suites that a consensus plugin binds by naming its
 * {@link io.tribune.api.consensus.ConsensusFactory}, a storage and (for replicated plugins) a
 * transport. Uses no service; provides none.
 */
module io.tribune.tck.consensus {
    requires transitive io.tribune.api;
    requires transitive io.tribune.testkit;
    requires transitive org.junit.jupiter.api;

    exports io.tribune.tck.consensus;
    opens io.tribune.tck.consensus to org.junit.platform.commons;
}
