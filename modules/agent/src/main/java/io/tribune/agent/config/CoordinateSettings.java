package io.tribune.agent.config;

import io.tribune.api.PluginConfig;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * How agents send their network coordinates to the servers and how servers write them (Consul's
 * {@code coordinate_update_period}, {@code coordinate_update_batch_size},
 * {@code coordinate_update_max_batches}).
 *
 * <p>They travel inside {@link AgentConfig#pluginConfig()} under {@code coordinate.*} keys, as the WAN
 * settings do ({@link WanSettings}): {@link ConfigLoader} writes them there from the Consul keys and
 * {@link #of(AgentConfig)} reads them back.
 *
 * <table>
 * <caption>Coordinate keys in plugin_config</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code coordinate.update-period}</td><td>5 s (Consul's)</td><td>how often each agent sends its
 *     coordinate, and how often a leader writes the coordinates it received</td></tr>
 * <tr><td>{@code coordinate.update-batch-size}</td><td>128 (Consul's)</td><td>coordinates in one Raft
 *     write</td></tr>
 * <tr><td>{@code coordinate.update-max-batches}</td><td>5 (Consul's)</td><td>Raft writes per period; the
 *     leader holds at most batch size × max batches coordinates and drops what arrives beyond</td></tr>
 * </table>
 *
 * @param updatePeriod time between two sends, and between two flushes on the leader (at least 10 ms,
 *                     at most 1 h)
 * @param batchSize    coordinates per Raft write (1..{@value #MAX_BATCH_SIZE})
 * @param maxBatches   Raft writes per period (1..{@value #MAX_BATCHES})
 */
public record CoordinateSettings(Duration updatePeriod, int batchSize, int maxBatches) {
    /** Key of {@code coordinate_update_period}. */
    public static final String PERIOD = "coordinate.update-period";
    /** Key of {@code coordinate_update_batch_size}. */
    public static final String BATCH_SIZE = "coordinate.update-batch-size";
    /** Key of {@code coordinate_update_max_batches}. */
    public static final String MAX_BATCHES_KEY = "coordinate.update-max-batches";
    /** Largest batch: one Raft entry stays well under the state's limit of coordinates per command. */
    public static final int MAX_BATCH_SIZE = 1024;
    /** Most writes per period. */
    public static final int MAX_BATCHES = 100;
    /** Consul's defaults. */
    public static final CoordinateSettings DEFAULT = new CoordinateSettings(Duration.ofSeconds(5), 128, 5);

    public CoordinateSettings {
        if (updatePeriod == null || updatePeriod.compareTo(Duration.ofMillis(10)) < 0
                || updatePeriod.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("coordinate_update_period must be between 10ms and 1h, got "
                    + updatePeriod);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("coordinate_update_batch_size must be between 1 and " + MAX_BATCH_SIZE
                    + ", got " + batchSize);
        }
        if (maxBatches < 1 || maxBatches > MAX_BATCHES) {
            throw new IllegalArgumentException("coordinate_update_max_batches must be between 1 and " + MAX_BATCHES
                    + ", got " + maxBatches);
        }
    }

    /** Most coordinates a leader holds between two flushes: batch size × max batches. */
    public int pendingLimit() {
        return batchSize * maxBatches;
    }

    /**
     * The settings carried in {@code config}'s plugin configuration.
     *
     * @throws ConfigException when a value is malformed or out of range
     */
    public static CoordinateSettings of(AgentConfig config) {
        return of(config.pluginConfig());
    }

    /** As {@link #of(AgentConfig)}, from a plugin configuration. */
    public static CoordinateSettings of(PluginConfig pc) {
        try {
            return new CoordinateSettings(pc.getDuration(PERIOD, DEFAULT.updatePeriod()),
                    pc.getInt(BATCH_SIZE, DEFAULT.batchSize()), pc.getInt(MAX_BATCHES_KEY, DEFAULT.maxBatches()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("coordinate settings: " + e.getMessage(), e);
        }
    }

    /** The properties that carry these settings (defaults left out). */
    public Map<String, String> asProperties() {
        Map<String, String> m = new TreeMap<>();
        if (!updatePeriod.equals(DEFAULT.updatePeriod())) {
            m.put(PERIOD, updatePeriod.toString());
        }
        if (batchSize != DEFAULT.batchSize()) {
            m.put(BATCH_SIZE, Integer.toString(batchSize));
        }
        if (maxBatches != DEFAULT.maxBatches()) {
            m.put(MAX_BATCHES_KEY, Integer.toString(maxBatches));
        }
        return m;
    }
}
