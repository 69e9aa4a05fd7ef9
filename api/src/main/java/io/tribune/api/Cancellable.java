package io.tribune.api;

/** A handle to a scheduled task. */
public interface Cancellable {
    /**
     * Prevents the task from running if it has not started. Idempotent; never blocks and never
     * interrupts a task already running.
     *
     * @return true if this call stopped the task from running
     */
    boolean cancel();
}
