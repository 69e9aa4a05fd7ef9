/**
 * The {@code storage-memory} plugin: log, stable and snapshot stores kept in the heap, for
 * {@code -dev} mode and tests. Not durable: everything is lost when the process exits, and its
 * descriptor says so. It keeps every ordering, atomicity and validation contract of
 * {@link io.tribune.api.storage}, and passes the storage conformance kit.
 *
 * <p>Provides {@link io.tribune.api.Plugin} (through {@code ServiceLoader}, and as an OSGi service
 * registered by its bundle activator). Exports {@code io.tribune.storage.memory}, which holds the
 * plugin entry point and its {@link io.tribune.api.storage.StorageFactory}, so that tests of other
 * modules may open a store directly.
 */
module io.tribune.storage.memory {
    requires transitive io.tribune.api;
    requires static osgi.core;

    exports io.tribune.storage.memory;

    provides io.tribune.api.Plugin with io.tribune.storage.memory.InMemoryStoragePlugin;
}
