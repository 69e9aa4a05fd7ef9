/**
 * Tribune's service provider interfaces.
 *
 * <p>A plugin jar depends on this module only. It implements one or more of the four SPI areas
 * ({@link io.tribune.api.storage storage}, {@link io.tribune.api.transport transport},
 * {@link io.tribune.api.consensus consensus}, {@link io.tribune.api.membership membership}) and
 * announces them through one {@link io.tribune.api.Plugin} entry point, registered with
 * {@code provides io.tribune.api.Plugin with ...} in its own module descriptor (and, when it runs
 * inside OSGi, as a service registered by its bundle activator).
 *
 * <p>This module requires {@code java.base} only, so that a plugin may bring its own versions of
 * third-party libraries without clashing with the host.
 */
module io.tribune.api {
    exports io.tribune.api;
    exports io.tribune.api.storage;
    exports io.tribune.api.transport;
    exports io.tribune.api.consensus;
    exports io.tribune.api.membership;
}
