/**
 * Conformance suites for storage plugins.
 *
 * <p>To run the kit against a plugin, extend each suite in the plugin's tests and implement
 * {@link io.tribune.tck.storage.StorageConformanceSupport#factory()} (and, when the plugin needs
 * settings, {@link io.tribune.tck.storage.StorageConformanceSupport#config()}):
 *
 * <pre>{@code
 * class MyLogStoreTest extends LogStoreConformanceTest {
 *     @Override
 *     protected StorageFactory factory() {
 *         return new MyStorageFactory();
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh temporary data directory. Checks that need durability (reopen with the
 * same directory, crash of a child JVM) run only when the factory reports
 * {@link io.tribune.api.storage.StorageFactory#durable()}; for a non-durable plugin they are
 * reported as skipped with the reason, and every ordering, validation and atomicity check still
 * runs.
 */
package io.tribune.tck.storage;
