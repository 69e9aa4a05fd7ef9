package io.tribune.agent.local;

import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.state.HealthStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs script checks ({@code Args}): the command runs without a shell, stdout and stderr together
 * are captured, and the exit code decides the status as in Consul: 0 passing, 1 warning, anything
 * else critical. A run that outlives its timeout has its whole process tree killed and is critical.
 *
 * <p>At most {@link #MAX_RUNNING} scripts run at once and {@link #MAX_QUEUED} wait; beyond that a
 * run is refused (critical, with a message) rather than piling up threads or processes. Output
 * keeps the last {@link LocalState#MAX_OUTPUT_BYTES} bytes, as Consul's circular output buffer
 * does, because the end of a script's output usually says why it failed.
 */
final class CheckScripts implements AutoCloseable {
    static final int MAX_RUNNING = 4;
    static final int MAX_QUEUED = 64;
    private final Scheduler scheduler;
    private final ThreadPoolExecutor pool;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    CheckScripts(Scheduler scheduler) {
        this.scheduler = scheduler;
        this.pool = new ThreadPoolExecutor(MAX_RUNNING, MAX_RUNNING, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(r, "tribune-check-script");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code args} once; the future never fails, a failure to run is a critical result. */
    CompletableFuture<Map.Entry<HealthStatus, String>> run(List<String> args, Duration timeout) {
        CompletableFuture<Map.Entry<HealthStatus, String>> f = new CompletableFuture<>();
        try {
            pool.execute(() -> f.complete(runNow(args, timeout)));
        } catch (RejectedExecutionException e) {
            f.complete(Map.entry(HealthStatus.CRITICAL, "script check not run: too many script checks running "
                    + "or queued (" + (MAX_RUNNING + MAX_QUEUED) + ")"));
        }
        return f;
    }

    private Map.Entry<HealthStatus, String> runNow(List<String> args, Duration timeout) {
        if (closed) {
            return Map.entry(HealthStatus.CRITICAL, "check not run: the agent is stopping");
        }
        Process p;
        try {
            p = new ProcessBuilder(args).redirectErrorStream(true).start();
        } catch (IOException | RuntimeException e) {
            return Map.entry(HealthStatus.CRITICAL, "Failed to run check " + args.get(0) + ": " + e.getMessage());
        }
        running.add(p);
        // close() sets the flag before it kills what is running: a process started while it ran is
        // either in the set it kills or seen here.
        if (closed) {
            killTree(p);
        }
        try {
            // Nothing is written to a check script: it reads end-of-file at once rather than hanging.
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // the pipe of a process that already exited
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        Cancellable killer = scheduler.schedule(timeout, () -> {
            timedOut.set(true);
            killTree(p);
        });
        try {
            String out = tail(p.getInputStream());
            int code = p.waitFor();
            if (timedOut.get()) {
                return Map.entry(HealthStatus.CRITICAL, LocalState.truncate("Timed out (" + timeout.toMillis()
                        + "ms) running check\n" + out));
            }
            HealthStatus s = code == 0 ? HealthStatus.PASSING : code == 1 ? HealthStatus.WARNING
                    : HealthStatus.CRITICAL;
            return Map.entry(s, out);
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            return Map.entry(HealthStatus.CRITICAL, "check interrupted: the agent is stopping");
        } finally {
            killer.cancel();
            running.remove(p);
        }
    }

    /** Reads the stream to its end, keeping only the last MAX_OUTPUT_BYTES (a ring buffer). */
    static String tail(InputStream in) {
        int max = LocalState.MAX_OUTPUT_BYTES;
        byte[] ring = new byte[max];
        long total = 0;
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    ring[(int) (total++ % max)] = buf[i];
                }
            }
        } catch (IOException e) {
            // The pipe closes when a timed-out process is killed; keep what was read.
        }
        byte[] out;
        if (total <= max) {
            out = java.util.Arrays.copyOf(ring, (int) total);
        } else {
            out = new byte[max];
            int start = (int) (total % max);
            System.arraycopy(ring, start, out, 0, max - start);
            System.arraycopy(ring, 0, out, max - start, start);
        }
        String s = new String(out, StandardCharsets.UTF_8);
        // A cut inside a multi-byte character leaves up to 3 stray bytes that decode to U+FFFD; drop them.
        for (int i = 0; total > max && i < 3 && s.startsWith("\uFFFD"); i++) {
            s = s.substring(1);
        }
        return s;
    }

    /** Kills the process and every descendant; the descendants are listed first, while they are still its own. */
    static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Stops taking runs and kills every running script's process tree. */
    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
        running.forEach(CheckScripts::killTree);
    }
}
