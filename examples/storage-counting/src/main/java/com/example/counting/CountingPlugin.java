package com.example.counting;

import com.example.counting.internal.CountingStorage;
import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plugin's entry point: one storage factory named {@code storage-counting} that wraps another
 * installed storage plugin.
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code storage-counting.wrap}: the wrapped storage plugin's name; default {@code storage-memory};</li>
 *   <li>{@code storage-counting.inner.KEY}: handed to the wrapped plugin as {@code <wrap>.KEY}
 *       (the host gives a plugin only its own keys, so the wrapper forwards them).</li>
 * </ul>
 *
 * <p>Durability is the wrapped plugin's; the factory cannot know it before {@code create} and says
 * {@code false}, so the host does not demand a data directory for it: a durable wrapped plugin
 * refuses to start without one itself.
 */
public final class CountingPlugin implements Plugin {
    /** The plugin's and its factory's name. */
    public static final String NAME = "storage-counting";
    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, "1.0.0",
            "Example wrapper: counts the calls to another storage plugin as metrics", SpiKind.STORAGE);

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<StorageFactory> storageFactories() {
        return List.of(new StorageFactory() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public boolean durable() {
                return false;
            }

            @Override
            public Storage create(PluginConfig config, PluginContext context) {
                String wrap = config.get(NAME + ".wrap");
                String wrapped = wrap == null ? "storage-memory" : wrap;
                if (wrapped.isEmpty() || wrapped.equals(NAME)) {
                    throw new IllegalArgumentException("config key '" + NAME + ".wrap' must name another storage "
                            + "plugin, not '" + wrapped + "'");
                }
                StorageFactory inner = context.factory(SpiKind.STORAGE, StorageFactory.class, wrapped)
                        .orElseThrow(() -> new IllegalArgumentException("config key '" + NAME + ".wrap': no storage "
                                + "plugin named '" + wrapped + "' is installed (or the host cannot look plugins up)"));
                Map<String, String> innerConfig = new TreeMap<>();
                String prefix = NAME + ".inner.";
                config.asMap().forEach((k, v) -> {
                    if (k.startsWith(prefix)) {
                        innerConfig.put(wrapped + "." + k.substring(prefix.length()), v);
                    }
                });
                Storage storage = inner.create(PluginConfig.of(innerConfig), context);
                context.logger(NAME).log(System.Logger.Level.INFO, "storage-counting wraps " + wrapped);
                return new CountingStorage(storage, wrapped, context.metrics(), context.logger(NAME));
            }
        });
    }
}
