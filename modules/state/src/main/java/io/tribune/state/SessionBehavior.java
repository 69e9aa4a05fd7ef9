package io.tribune.state;

/** What happens to a session's locks when it is invalidated; {@link #wire()} gives Consul's spelling. */
public enum SessionBehavior {
    /** Locks are released: the keys stay, their Session is cleared (the default). */
    RELEASE("release"),
    /** The locked keys are deleted. */
    DELETE("delete");

    private final String wire;

    SessionBehavior(String wire) {
        this.wire = wire;
    }

    /** Consul's spelling. */
    public String wire() {
        return wire;
    }

    /**
     * Parses Consul's spelling ("" means {@link #RELEASE}).
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static SessionBehavior fromWire(String s) {
        if (s == null || s.isEmpty()) {
            return RELEASE;
        }
        for (SessionBehavior b : values()) {
            if (b.wire.equals(s)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown session behavior '" + s + "' (expected release or delete)");
    }
}
