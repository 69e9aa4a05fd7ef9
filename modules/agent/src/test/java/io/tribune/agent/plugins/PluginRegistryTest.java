package io.tribune.agent.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.SpiVersion;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PluginRegistryTest {

    /** A storage factory that is only ever listed and selected here, never asked to create. */
    record NamedStorage(String name) implements StorageFactory {
        @Override
        public boolean durable() {
            return false;
        }

        @Override
        public Storage create(PluginConfig config, PluginContext context) {
            throw new UnsupportedOperationException("selection tests never create storage");
        }
    }

    static Plugin storagePlugin(String name, int major, int minor) {
        PluginDescriptor d = new PluginDescriptor(name, "9.9", "test", Set.of(SpiKind.STORAGE), major, minor, false);
        StorageFactory f = new NamedStorage(name);
        return new Plugin() {
            @Override
            public PluginDescriptor descriptor() {
                return d;
            }

            @Override
            public List<StorageFactory> storageFactories() {
                return List.of(f);
            }
        };
    }

    static LoadedPlugin loaded(Plugin p) {
        return LoadedPlugin.of(p, "test:" + p.descriptor().name());
    }

    @Test
    void pluginBuiltAgainstAnotherMajorIsRefusedWithTheReason() {
        var e = assertThrows(PluginLoadException.class, () -> PluginRegistry.of(List.of(
                loaded(storagePlugin("storage-future", SpiVersion.MAJOR + 1, 0)))));
        assertTrue(e.getMessage().contains("test:storage-future"), e.getMessage());
        assertTrue(e.getMessage().contains("major versions must be equal"), e.getMessage());
    }

    @Test
    void pluginNeedingANewerMinorIsRefused() {
        var e = assertThrows(PluginLoadException.class, () -> PluginRegistry.of(List.of(
                loaded(storagePlugin("storage-newer", SpiVersion.MAJOR, SpiVersion.MINOR + 1)))));
        assertTrue(e.getMessage().contains("upgrade the host"), e.getMessage());
    }

    @Test
    void olderMinorIsAccepted() {
        if (SpiVersion.MINOR == 0) {
            PluginRegistry r = PluginRegistry.of(List.of(loaded(storagePlugin("s", SpiVersion.MAJOR, 0))));
            assertEquals(1, r.plugins().size());
        } else {
            PluginRegistry r = PluginRegistry.of(List.of(loaded(storagePlugin("s", SpiVersion.MAJOR,
                    SpiVersion.MINOR - 1))));
            assertEquals(1, r.plugins().size());
        }
    }

    @Test
    void twoPluginsWithOneNameAreRefused() {
        var e = assertThrows(PluginLoadException.class, () -> PluginRegistry.of(List.of(
                loaded(storagePlugin("s", 1, 0)), loaded(storagePlugin("s", 1, 0)))));
        assertTrue(e.getMessage().contains("two plugins are named 's'"), e.getMessage());
    }

    @Test
    void factoryOfAnUndeclaredKindIsRefused() {
        PluginDescriptor d = PluginDescriptor.of("liar", "1", "declares transport, offers storage", SpiKind.TRANSPORT);
        Plugin p = new Plugin() {
            @Override
            public PluginDescriptor descriptor() {
                return d;
            }

            @Override
            public List<StorageFactory> storageFactories() {
                return List.of(new NamedStorage("liar"));
            }
        };
        var e = assertThrows(PluginLoadException.class, () -> PluginRegistry.of(List.of(loaded(p))));
        assertTrue(e.getMessage().contains("does not declare STORAGE"), e.getMessage());
    }

    @Test
    void selectionPrefersChoiceThenDefaultThenSingleCandidate() {
        PluginRegistry two = PluginRegistry.of(List.of(loaded(storagePlugin("a", 1, 0)), loaded(storagePlugin("b", 1, 0))));
        assertEquals("b", two.select(SpiKind.STORAGE, StorageFactory.class, Optional.of("b"), Optional.of("a")).name());
        assertEquals("a", two.select(SpiKind.STORAGE, StorageFactory.class, Optional.empty(), Optional.of("a")).name());
        PluginRegistry one = PluginRegistry.of(List.of(loaded(storagePlugin("only", 1, 0))));
        assertEquals("only", one.select(SpiKind.STORAGE, StorageFactory.class, Optional.empty(),
                Optional.of("missing-default")).name());
    }

    @Test
    void ambiguousUnknownAndMissingChoicesListWhatIsAvailable() {
        PluginRegistry two = PluginRegistry.of(List.of(loaded(storagePlugin("a", 1, 0)), loaded(storagePlugin("b", 1, 0))));
        var amb = assertThrows(PluginLoadException.class, () -> two.select(SpiKind.STORAGE, StorageFactory.class,
                Optional.empty(), Optional.of("c")));
        assertTrue(amb.getMessage().contains("several storage plugins") && amb.getMessage().contains("a (a 9.9)")
                && amb.getMessage().contains("b (b 9.9)"), amb.getMessage());
        var unknown = assertThrows(PluginLoadException.class, () -> two.select(SpiKind.STORAGE, StorageFactory.class,
                Optional.of("zzz"), Optional.empty()));
        assertTrue(unknown.getMessage().contains("unknown storage plugin 'zzz'"), unknown.getMessage());
        var none = assertThrows(PluginLoadException.class, () -> two.select(SpiKind.CONSENSUS,
                io.tribune.api.consensus.ConsensusFactory.class, Optional.empty(), Optional.empty()));
        assertTrue(none.getMessage().contains("no consensus plugin is installed"), none.getMessage());
    }

    @Test
    void candidatesKeepTheirFactories() {
        Plugin p = storagePlugin("x", 1, 0);
        PluginRegistry r = PluginRegistry.of(List.of(loaded(p)));
        assertSame(p.storageFactories().get(0), r.candidates(SpiKind.STORAGE).get(0).factory());
    }
}
