/**
 * The {@code tribune} command line. Finds plugins either in an embedded Apache Felix framework
 * (bundles registering {@link io.tribune.api.Plugin} services) or, with {@code -runtime jpms}, in
 * one module layer per plugin directory through {@code ServiceLoader}; then runs the agent.
 *
 * <p>Uses {@link io.tribune.api.Plugin} and {@link org.osgi.framework.launch.FrameworkFactory}.
 */
module io.tribune.launcher {
    requires io.tribune.api;
    requires io.tribune.launcher.boot;
    requires io.tribune.agent;
    requires com.google.gson;
    requires java.logging;
    requires info.picocli;
    requires org.apache.felix.framework;
    // SIGHUP reloads the config (config feature): sun.misc.Signal.
    requires jdk.unsupported;

    uses io.tribune.api.Plugin;
    uses org.osgi.framework.launch.FrameworkFactory;

    provides io.tribune.launcher.boot.Entry with io.tribune.launcher.JpmsEntry;

    opens io.tribune.launcher to info.picocli;
}
