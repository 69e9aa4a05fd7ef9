package com.example.counting.internal;

import io.tribune.api.Metrics;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StableStore;
import io.tribune.api.storage.Storage;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Storage} that hands every call to the wrapped one and counts it, per store and method,
 * in a metrics counter {@code calls.<store>.<method>} (e.g. {@code calls.log.append}) and in its own
 * tally, which {@link #counts()} returns and {@link #close()} logs; the first call of each method
 * is logged too.
 *
 * <p>The three stores are wrapped with {@link Proxy}, so that a method the SPI gains later (with a
 * default) is counted and handed over too, without a change here. Thread-safe as the wrapped stores
 * are: it adds no locking and no ordering of its own; an exception of the wrapped store reaches the
 * caller unchanged.
 */
public final class CountingStorage implements Storage {
    private final Storage inner;
    private final String wrapped;
    private final Metrics metrics;
    private final System.Logger log;
    private final Map<String, AtomicLong> tally = new ConcurrentHashMap<>();
    private final LogStore logStore;
    private final StableStore stable;
    private final SnapshotStore snapshots;

    /** Wraps {@code inner} (of plugin {@code wrapped}); closes it in {@link #close()}. */
    public CountingStorage(Storage inner, String wrapped, Metrics metrics, System.Logger log) {
        this.inner = inner;
        this.wrapped = wrapped;
        this.metrics = metrics;
        this.log = log;
        this.logStore = counting(LogStore.class, inner.log(), "log");
        this.stable = counting(StableStore.class, inner.stable(), "stable");
        this.snapshots = counting(SnapshotStore.class, inner.snapshots(), "snapshots");
    }

    private <T> T counting(Class<T> type, T target, String store) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args, target);
            }
            String key = store + "." + method.getName();
            if (tally.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet() == 1) {
                // Once per method (a bounded number of lines): shows operators which calls the
                // wrapped plugin gets, also when the process ends without a clean close.
                log.log(System.Logger.Level.INFO, "storage-counting over " + wrapped + ": first call of " + key);
            }
            metrics.counter("calls." + key).increment();
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(CountingStorage.class.getClassLoader(), new Class<?>[] {type}, h));
    }

    private static Object objectMethod(Object proxy, Method m, Object[] args, Object target) {
        return switch (m.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "counting(" + target + ")";
        };
    }

    /** The calls counted so far, by {@code store.method}, sorted. */
    public Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        tally.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public LogStore log() {
        return logStore;
    }

    @Override
    public StableStore stable() {
        return stable;
    }

    @Override
    public SnapshotStore snapshots() {
        return snapshots;
    }

    /** Closes the wrapped storage, then logs the counts (one line, for operators and tests). */
    @Override
    public void close() {
        try {
            inner.close();
        } finally {
            log.log(System.Logger.Level.INFO, "storage-counting over " + wrapped + " counted " + counts());
        }
    }
}
