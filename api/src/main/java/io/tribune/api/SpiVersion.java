package io.tribune.api;

/**
 * The version of the SPI that this copy of the API module defines.
 *
 * <p>The fields are compile-time constants: a plugin that reads them in its
 * {@link PluginDescriptor} records the version it was <em>built</em> against, because the
 * compiler copies the values into the plugin's class files. The host accepts a plugin when the
 * major versions are equal and the plugin's minor version is not newer than the host's (new minor
 * versions only add methods with defaults).
 */
public final class SpiVersion {
    /** Incremented on a change that breaks existing plugins. */
    public static final int MAJOR = 1;
    /** Incremented when methods with defaults or optional capabilities are added. */
    public static final int MINOR = 3;

    private SpiVersion() {
    }

    /** The version as {@code MAJOR.MINOR}. */
    public static String string() {
        return MAJOR + "." + MINOR;
    }
}
