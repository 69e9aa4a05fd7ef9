/**
 * The storage conformance kit: abstract JUnit 5 suites that state the contract of
 * {@link io.tribune.api.storage} as tests. A storage plugin binds each suite with a few lines that
 * name its {@link io.tribune.api.storage.StorageFactory} and configuration; the factory's
 * {@link io.tribune.api.storage.StorageFactory#durable()} flag decides whether the restart and
 * crash checks apply.
 *
 * <p>Suites: {@link io.tribune.tck.storage.LogStoreConformanceTest},
 * {@link io.tribune.tck.storage.StableStoreConformanceTest},
 * {@link io.tribune.tck.storage.SnapshotStoreConformanceTest} and
 * {@link io.tribune.tck.storage.CrashConsistencyConformanceTest}, whose child process runs
 * {@link io.tribune.tck.storage.CrashAppender} and finds the plugin through
 * {@code ServiceLoader}, hence {@code uses io.tribune.api.Plugin}.
 */
module io.tribune.tck.storage {
    requires transitive io.tribune.api;
    requires transitive io.tribune.testkit;
    requires transitive org.junit.jupiter.api;

    exports io.tribune.tck.storage;
    // JUnit discovers and runs the suites' methods reflectively.
    opens io.tribune.tck.storage to org.junit.platform.commons;

    uses io.tribune.api.Plugin;
}
