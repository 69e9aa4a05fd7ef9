package io.tribune.launcher.boot;

/** The host's command line entry, found in the host layer with {@link java.util.ServiceLoader}. */
public interface Entry {
    /** Runs the command line; returns the process exit code (the caller exits with it). */
    int run(String[] args);
}
