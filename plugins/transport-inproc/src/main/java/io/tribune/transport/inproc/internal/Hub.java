package io.tribune.transport.inproc.internal;

import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.TransportException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A process-wide registry of started in-process transports, keyed by the exact {@link Endpoint}
 * they listen on. One hub per name; hubs live as long as the class loader (they hold only the
 * transports currently started, so they do not leak closed ones).
 */
public final class Hub {
    /** First port handed out for bind port 0: the IANA dynamic range, as an OS would. */
    static final int FIRST_DYNAMIC_PORT = 49152;

    private static final ConcurrentHashMap<String, Hub> HUBS = new ConcurrentHashMap<>();

    private final String name;
    private final ConcurrentHashMap<Endpoint, InProcTransport> endpoints = new ConcurrentHashMap<>();
    private int nextPort = FIRST_DYNAMIC_PORT;

    private Hub(String name) {
        this.name = name;
    }

    /** The hub called {@code name}, created on first use. */
    public static Hub named(String name) {
        return HUBS.computeIfAbsent(name, Hub::new);
    }

    /** The hub's name. */
    public String name() {
        return name;
    }

    /**
     * Registers {@code transport} under {@code requested}, or under a free port of the same host
     * when the requested port is 0.
     *
     * @return the endpoint actually bound
     * @throws TransportException UNAVAILABLE when the endpoint is taken or no port is free
     */
    Endpoint bind(Endpoint requested, InProcTransport transport) {
        if (requested.port() != 0) {
            InProcTransport prev = endpoints.putIfAbsent(requested, transport);
            if (prev != null && prev != transport) {
                throw new TransportException(TransportException.Code.UNAVAILABLE, "in-process endpoint "
                        + requested + " is already in use in hub '" + name + "'");
            }
            return requested;
        }
        for (int attempt = FIRST_DYNAMIC_PORT; attempt <= 65535; attempt++) {
            Endpoint candidate = new Endpoint(requested.host(), allocatePort());
            if (endpoints.putIfAbsent(candidate, transport) == null) {
                return candidate;
            }
        }
        throw new TransportException(TransportException.Code.UNAVAILABLE, "no free in-process port for host "
                + requested.host() + " in hub '" + name + "'");
    }

    /** Registers an extra key (the advertised endpoint) if it is free; returns whether it was. */
    boolean alias(Endpoint key, InProcTransport transport) {
        InProcTransport prev = endpoints.putIfAbsent(key, transport);
        return prev == null || prev == transport;
    }

    private synchronized int allocatePort() {
        int p = nextPort;
        nextPort = p >= 65535 ? FIRST_DYNAMIC_PORT : p + 1;
        return p;
    }

    /** Removes {@code key} if it still belongs to {@code transport}. */
    void unbind(Endpoint key, InProcTransport transport) {
        endpoints.remove(key, transport);
    }

    /** The started transport listening on {@code endpoint}, or null. */
    InProcTransport lookup(Endpoint endpoint) {
        return endpoints.get(endpoint);
    }
}
