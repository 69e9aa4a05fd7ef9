package io.tribune.launcher;

import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.rpc.AgentException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The agent process's side of the config feature: the pid file ({@code pid_file},
 * {@code -pid-file}), and reload on SIGHUP as Consul does (a stock systemd unit's
 * {@code ExecReload=kill -HUP $MAINPID}), instead of the JVM's default of shutting down.
 *
 * <p>Called from {@link AgentCommand} on its thread; the SIGHUP handler runs reloads on a thread of
 * its own, one at a time ({@link Agent#reload} is serialized).
 */
final class AgentLifecycle {
    private static final System.Logger LOG = System.getLogger(AgentLifecycle.class.getName());

    private AgentLifecycle() {
    }

    /** Logs each config warning on its own WARN line. */
    static void logWarnings(List<String> warnings) {
        warnings.forEach(w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    /**
     * Writes this process's id to {@code file} (replacing it atomically, so a reader never sees a
     * half-written id).
     *
     * @throws IllegalStateException naming the file when it cannot be written
     */
    static void writePid(Path file) {
        Path abs = file.toAbsolutePath();
        try {
            Path tmp = Files.createTempFile(abs.getParent(), ".tribune-pid", ".tmp");
            Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot write the pid file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the pid file at exit, unless another process has written its own id there since. */
    static void removePid(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (s.equals(Long.toString(ProcessHandle.current().pid()))) {
                Files.delete(file);
            }
        } catch (IOException | RuntimeException e) {
            Logging.direct("WARNING", AgentLifecycle.class.getName(), "cannot remove the pid file " + file + ": " + e);
        }
    }

    /**
     * Makes {@code agent} reloadable from {@code source} ({@code /v1/agent/reload}, {@code tribune
     * reload}) and installs a SIGHUP handler that reloads too. A failed reload is logged and changes
     * nothing; the agent keeps running and stays in the cluster.
     */
    static void reloadable(Agent agent, Supplier<AgentConfig> source, Consumer<AgentConfig> applied) {
        agent.onReload(source, applied);
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                Thread t = new Thread(() -> reloadOnSignal(agent), "tribune-reload");
                t.setDaemon(true);
                t.start();
            });
        } catch (IllegalArgumentException e) {
            // The JVM refuses the handler when run with -Xrs or where SIGHUP is not a signal (Windows).
            LOG.log(System.Logger.Level.WARNING, "SIGHUP will not reload the config: " + e.getMessage());
        }
    }

    /**
     * keys feature: whether a stop leaves the cluster gracefully, and the line that says why.
     *
     * @param leave   announce a graceful leave before stopping
     * @param message the INFO line logged when the stop begins
     */
    record Stop(boolean leave, String message) {
    }

    /**
     * Consul's rule for a stop: SIGINT (Ctrl-C) leaves unless {@code skip_leave_on_interrupt}, SIGTERM
     * leaves only with {@code leave_on_terminate}; a stop without a trapped signal (the JVM exiting,
     * signals not trappable with {@code -Xrs}) follows {@code leave_on_terminate}.
     *
     * @param signal "INT", "TERM", or null when no signal was trapped
     * @param config the configuration in effect (the last one reloaded)
     */
    static Stop onStop(String signal, AgentConfig config) {
        if ("INT".equals(signal)) {
            boolean skip = io.tribune.agent.config.ConfigKeys.skipLeaveOnInterrupt(config);
            return new Stop(!skip, skip ? "caught SIGINT: stopping without leaving (skip_leave_on_interrupt is true)"
                    : "caught SIGINT: graceful leave");
        }
        String what = "TERM".equals(signal) ? "caught SIGTERM: " : "shutting down: ";
        return new Stop(config.leaveOnTerminate(), config.leaveOnTerminate() ? what + "graceful leave"
                : what + "stopping without leaving (leave_on_terminate is false)");
    }

    /**
     * Traps SIGINT and SIGTERM so that the shutdown hook can tell them apart (the JVM runs the same
     * hooks for both): the first records its name and exits the JVM (hooks run); a second, while
     * the agent is still stopping, halts at once with status 1, as Consul quits on a second signal.
     * Where a signal cannot be trapped, the JVM's default stays and the returned reference stays null.
     *
     * @return the name of the first stop signal ("INT" or "TERM"), set from the signal's thread
     */
    static AtomicReference<String> trapStopSignals() {
        AtomicReference<String> first = new AtomicReference<>();
        for (String name : List.of("INT", "TERM")) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler previous = sun.misc.Signal.handle(signal, sig -> {
                    if (!first.compareAndSet(null, sig.getName())) {
                        Logging.direct("WARNING", AgentLifecycle.class.getName(), "caught SIG" + sig.getName()
                                + " again while stopping: exiting at once");
                        Runtime.getRuntime().halt(1);
                    }
                    // On the signal's own thread, which the JVM starts per signal: exit runs the shutdown hook.
                    System.exit(0);
                });
                if (previous == sun.misc.SignalHandler.SIG_IGN) {
                    // Ignored when the process started (nohup, a shell's background job): the JVM leaves
                    // it so, and so do we; say it, since the stop rule below would never apply.
                    sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_IGN);
                    LOG.log(System.Logger.Level.WARNING, "SIG" + name + " was ignored when this process started "
                            + "(nohup or a background job of a shell): it will not stop the agent");
                }
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "SIG" + name + " cannot be trapped (" + e.getMessage()
                        + "); a stop follows leave_on_terminate");
            }
        }
        return first;
    }

    private static void reloadOnSignal(Agent agent) {
        LOG.log(System.Logger.Level.INFO, "caught SIGHUP: reloading the configuration");
        try {
            agent.reload();
        } catch (AgentException e) {
            LOG.log(System.Logger.Level.ERROR, "reload failed, configuration unchanged: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "reload failed: " + e);
        }
    }
}
