/**
 * Coordination recipes on Tribune's sessions and KV store, compatible with Consul's clients:
 * {@link io.tribune.client.recipes.Lock} (mutual exclusion on a key),
 * {@link io.tribune.client.recipes.LeaderElection} (campaign, observe, resign),
 * {@link io.tribune.client.recipes.Semaphore} (N holders, Consul's {@code PREFIX/.lock} layout, as
 * {@code consul lock -n}), and {@link io.tribune.client.recipes.SessionKeepAlive} (renews a TTL
 * session at TTL/2 and reports its loss).
 *
 * <p>Each recipe blocks only in {@code acquire}/{@code campaign}; the guards that detect a lost hold
 * run on gRPC threads and report through {@link io.tribune.client.recipes.LostListener}. Options
 * (session TTL, lock-delay, retry interval, scheduler) are in
 * {@link io.tribune.client.recipes.RecipeOptions}.
 */
package io.tribune.client.recipes;
