/**
 * Test doubles for the platform services of {@code io.tribune.api}: a virtual clock and a seeded,
 * single-threaded scheduler that together make a plugin's run a pure function of its seed, and a
 * {@link io.tribune.api.PluginContext} built on them, and {@link io.tribune.testkit.TestPki}, a
 * throw-away certificate authority for TLS tests. Used by the conformance kits and by plugin
 * simulations. {@code io.tribune.testkit.linearizability} checks histories of concurrent operations
 * for linearizability (Wing–Gong/Lowe search with memoization, per key).
 */
module io.tribune.testkit {
    requires transitive io.tribune.api;
    requires io.tribune.platform;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.util;
    exports io.tribune.testkit;
    exports io.tribune.testkit.linearizability;
}
