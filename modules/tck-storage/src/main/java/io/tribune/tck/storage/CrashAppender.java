package io.tribune.tck.storage;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link CrashConsistencyConformanceTest}: opens a storage plugin found by
 * name through {@code ServiceLoader}, then appends the kit's {@link Entries} in a loop until it is
 * killed.
 *
 * <p>Protocol on standard output, one line each, flushed at once: {@code READY <lastIndex>} after
 * opening, then {@code ACK <index>} after every append of a batch ending at {@code index} has
 * returned. A line is printed only after the call returned, so every acknowledged index must be in
 * the log after the crash.
 *
 * <p>Arguments: {@code <factory-name> <data-dir> <batch-size> [key=value ...]}, the rest being the
 * plugin configuration. Exits by itself (status 3) after a bounded time, in case its parent died
 * without killing it.
 */
public final class CrashAppender {
    /** Upper bound on the child's life when nobody kills it. */
    static final long MAX_RUN_SECONDS = 120;

    private CrashAppender() {
    }

    /**
     * Runs the child.
     *
     * @param args {@code <factory-name> <data-dir> <batch-size> [key=value ...]}
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CrashAppender <factory-name> <data-dir> <batch-size> [key=value ...]");
            System.exit(2);
        }
        String name = args[0];
        Path dir = Path.of(args[1]);
        int batchSize = Integer.parseInt(args[2]);
        Map<String, String> conf = new TreeMap<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("configuration argument '" + args[i] + "' is not key=value");
            }
            conf.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        StorageFactory factory = findFactory(name);
        SimScheduler scheduler = new SimScheduler();
        TestContext ctx = TestContext.builder("crash-child").clock(scheduler.clock()).scheduler(scheduler)
                .dataDir(dir).build();
        PrintStream out = System.out;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_RUN_SECONDS);
        try (Storage storage = factory.create(PluginConfig.of(conf), ctx)) {
            LogStore log = storage.log();
            long last = log.lastIndex();
            out.println("READY " + last);
            out.flush();
            long next = last + 1;
            while (System.nanoTime() < deadline) {
                long to = next + batchSize - 1;
                List<io.tribune.api.storage.LogEntry> batch = Entries.range(next, to);
                log.append(batch);
                out.println("ACK " + to);
                out.flush();
                next = to + 1;
            }
        }
        System.exit(3);
    }

    /** The storage factory called {@code name} among the plugins {@code ServiceLoader} finds. */
    static StorageFactory findFactory(String name) {
        // Declared in module-info too; repeated here so the lookup works whatever the descriptor
        // the jar ends up with (a no-op on the class path).
        CrashAppender.class.getModule().addUses(Plugin.class);
        StringBuilder seen = new StringBuilder();
        for (Plugin p : ServiceLoader.load(Plugin.class, CrashAppender.class.getClassLoader())) {
            for (StorageFactory f : p.storageFactories()) {
                if (f.name().equals(name)) {
                    return f;
                }
                seen.append(' ').append(f.name());
            }
        }
        throw new IllegalStateException("no storage factory named '" + name + "' on the class/module path; found:"
                + (seen.length() == 0 ? " none" : seen));
    }
}
