package io.tribune.api.storage;

import java.util.Arrays;
import java.util.Objects;

/**
 * Describes a stored snapshot.
 *
 * @param id            store-assigned identifier, unique within the store
 * @param index         index of the last log entry the snapshot includes
 * @param term          term of that entry
 * @param configuration the cluster configuration as of {@code index}, encoded by the consensus plugin
 * @param size          size of the snapshot data in bytes
 * @param crc32c        CRC-32C of the snapshot data
 */
public record SnapshotMeta(String id, long index, long term, byte[] configuration, long size, long crc32c) {
    public SnapshotMeta {
        Objects.requireNonNull(id, "id");
        configuration = configuration == null ? new byte[0] : configuration;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotMeta m && m.id.equals(id) && m.index == index && m.term == term
                && Arrays.equals(m.configuration, configuration) && m.size == size && m.crc32c == crc32c;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, index, term, size, crc32c);
    }
}
