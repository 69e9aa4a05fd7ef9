package io.tribune.api;

import java.util.Set;

/**
 * What every factory of every SPI area has in common: a stable name users select it by, and the
 * configuration keys whose values are secret.
 */
public interface ProviderFactory {

    /**
     * The name users select this implementation by ({@code -plugin storage=storage-rocksdb});
     * lower-case with dashes; constant.
     */
    String name();

    /** Configuration keys (full, prefixed) whose values the host must never print. */
    default Set<String> secretConfigKeys() {
        return Set.of();
    }
}
