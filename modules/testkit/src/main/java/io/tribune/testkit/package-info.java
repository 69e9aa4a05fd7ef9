/**
 * Deterministic platform services for tests and simulations.
 *
 * <p>{@link io.tribune.testkit.SimScheduler} owns a {@link io.tribune.testkit.VirtualClock}: time
 * moves only when the test runs the scheduler, and tasks due at the same instant run in submission
 * order. Everything runs on the caller's thread, so a run is reproducible from its seed.
 */
package io.tribune.testkit;
