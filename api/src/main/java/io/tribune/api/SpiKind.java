package io.tribune.api;

/** The four replaceable layers of the platform; each names one factory interface. */
public enum SpiKind {
    /** {@link io.tribune.api.storage.StorageFactory}: Raft log, stable and snapshot stores. */
    STORAGE("storage"),
    /** {@link io.tribune.api.transport.TransportFactory}: node-to-node RPC. */
    TRANSPORT("transport"),
    /** {@link io.tribune.api.consensus.ConsensusFactory}: the replicated log. */
    CONSENSUS("consensus"),
    /** {@link io.tribune.api.membership.MembershipFactory}: cluster membership and failure detection. */
    MEMBERSHIP("membership");

    private final String key;

    SpiKind(String key) {
        this.key = key;
    }

    /** The lower-case name used in configuration, e.g. {@code -plugin storage=storage-rocksdb}. */
    public String key() {
        return key;
    }

    /**
     * Parses a configuration key.
     *
     * @throws IllegalArgumentException naming the accepted keys when {@code key} is unknown
     */
    public static SpiKind fromKey(String key) {
        for (SpiKind k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown plugin kind '" + key
                + "': expected one of storage, transport, consensus, membership");
    }
}
