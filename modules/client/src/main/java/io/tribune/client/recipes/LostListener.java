package io.tribune.client.recipes;

/**
 * Told when a recipe's hold ends without the holder releasing it: its session was destroyed, expired
 * or could not be renewed for a whole TTL, its key was deleted or taken over (an operator's forced
 * release), or the watch that guards it failed. Runs on a gRPC or scheduler thread, at most once per
 * hold, after the recipe already reports itself as not held; it should return quickly and must not
 * block on the recipe.
 */
@FunctionalInterface
public interface LostListener {
    /** The hold is lost; {@code reason} says why, for logs. */
    void onLost(String reason);
}
