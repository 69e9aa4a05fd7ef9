/**
 * Test doubles for the platform services of {@code io.tribune.api}: a virtual clock and a seeded,
 * single-threaded scheduler that together make a plugin's run a pure function of its seed, and a
 * {@link io.tribune.api.PluginContext} built on them. Used by the conformance kits and by plugin
 * simulations.
 */
module io.tribune.testkit {
    requires transitive io.tribune.api;
    exports io.tribune.testkit;
}
