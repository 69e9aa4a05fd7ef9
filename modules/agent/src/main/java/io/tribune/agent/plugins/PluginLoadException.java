package io.tribune.agent.plugins;

/** A plugin could not be loaded or selected; the message names the jar or bundle, the interface and the reason. */
public class PluginLoadException extends RuntimeException {
    public PluginLoadException(String message) {
        super(message);
    }

    public PluginLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
