/**
 * The JPMS boot module of Tribune. {@link io.tribune.launcher.boot.Boot} builds the host layer from
 * {@code lib/host} and runs the host's {@link io.tribune.launcher.boot.Entry}. Uses
 * {@link io.tribune.launcher.boot.Entry}.
 */
module io.tribune.launcher.boot {
    requires transitive io.tribune.api;

    exports io.tribune.launcher.boot;

    uses io.tribune.launcher.boot.Entry;
}
