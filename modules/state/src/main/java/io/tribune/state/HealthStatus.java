package io.tribune.state;

/** A check's status; {@link #wire()} gives Consul's JSON spelling. */
public enum HealthStatus {
    /** Healthy. */
    PASSING("passing"),
    /** Degraded but serving. */
    WARNING("warning"),
    /** Failing: excluded from healthy results and invalidates sessions bound to the check. */
    CRITICAL("critical");

    private final String wire;

    HealthStatus(String wire) {
        this.wire = wire;
    }

    /** Consul's spelling. */
    public String wire() {
        return wire;
    }

    /**
     * Parses Consul's spelling.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static HealthStatus fromWire(String s) {
        for (HealthStatus h : values()) {
            if (h.wire.equals(s)) {
                return h;
            }
        }
        throw new IllegalArgumentException("unknown check status '" + s + "' (expected passing, warning or critical)");
    }
}
