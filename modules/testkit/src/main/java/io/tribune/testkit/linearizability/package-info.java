/**
 * A linearizability checker for histories of concurrent operations, in the manner of Wing and Gong's
 * search with Lowe's just-in-time linearization and memoization of visited configurations (the
 * algorithm Porcupine implements), and a register model for key-value stores.
 *
 * <p>A history is a list of {@link io.tribune.testkit.linearizability.Operation}s, each with the time
 * its client called it and the time it returned (or none, for an operation whose outcome the client
 * never learned). {@link io.tribune.testkit.linearizability.LinearizabilityChecker} decides whether
 * some order of the operations that respects real time is legal for a sequential
 * {@link io.tribune.testkit.linearizability.Model}. Histories over independent objects (keys) are
 * split and checked one object at a time, which is sound by P-compositionality (Horn and Kroening,
 * "Faster linearizability checking via P-compositionality", FORTE 2015). Every search is bounded by
 * a number of steps, so a pathological history ends in
 * {@link io.tribune.testkit.linearizability.CheckResult.Outcome#UNKNOWN} instead of hanging.
 *
 * <p>References: M. Herlihy and J. Wing, "Linearizability: a correctness condition for concurrent
 * objects", TOPLAS 1990; J. Wing and C. Gong, "Testing and verifying concurrent objects", JPDC 1993;
 * G. Lowe, "Testing for linearizability", Concurrency and Computation 2017.
 */
package io.tribune.testkit.linearizability;
