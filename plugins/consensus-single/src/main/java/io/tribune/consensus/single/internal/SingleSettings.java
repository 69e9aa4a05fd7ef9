package io.tribune.consensus.single.internal;

import io.tribune.api.PluginConfig;

/**
 * Typed settings of {@code consensus-single}, parsed and validated from its configuration keys.
 *
 * @param snapshotThreshold {@code consensus-single.snapshot.threshold}: applied entries since the
 *                          last snapshot that trigger a new one; default 8192 (Consul's
 *                          {@code raft_snapshot_threshold}), range 1..2^30
 * @param maxCommandBytes   {@code consensus-single.max-command-bytes}: largest accepted command;
 *                          default 8 MiB (the transport's default message bound, so a command
 *                          accepted here could also be replicated by Raft), range 1..1 GiB
 * @param maxBatchEntries   {@code consensus-single.max-batch-entries}: most commands covered by one
 *                          log append (group commit); default 1024, range 1..65536
 */
record SingleSettings(int snapshotThreshold, int maxCommandBytes, int maxBatchEntries) {
    static final String PREFIX = "consensus-single.";

    static SingleSettings parse(PluginConfig config) {
        for (String key : config.keys()) {
            if (key.startsWith(PREFIX) && !key.equals(PREFIX + "snapshot.threshold")
                    && !key.equals(PREFIX + "max-command-bytes") && !key.equals(PREFIX + "max-batch-entries")) {
                throw new IllegalArgumentException("config key '" + key + "' is unknown to consensus-single"
                        + " (known: snapshot.threshold, max-command-bytes, max-batch-entries)");
            }
        }
        return new SingleSettings(
                bounded(config, PREFIX + "snapshot.threshold", 8192, 1, 1 << 30),
                bounded(config, PREFIX + "max-command-bytes", 8 * 1024 * 1024, 1, 1 << 30),
                bounded(config, PREFIX + "max-batch-entries", 1024, 1, 65536));
    }

    private static int bounded(PluginConfig config, String key, int def, int min, int max) {
        int v = config.getInt(key, def);
        if (v < min || v > max) {
            throw new IllegalArgumentException("config key '" + key + "': " + v + " is outside " + min + ".." + max);
        }
        return v;
    }
}
