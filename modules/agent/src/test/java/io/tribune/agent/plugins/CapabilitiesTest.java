package io.tribune.agent.plugins;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.api.Capability;
import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.ProviderFactory;
import io.tribune.api.SpiKind;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capabilities declared in plugin descriptors, as the host reads them (with the fallbacks for
 * plugins that declare none), checks them at load, and refuses at start a configuration the chosen
 * plugins cannot serve. Factories here are never asked to create anything.
 */
class CapabilitiesTest {
    @TempDir
    Path dir;

    record Storage1(String name, boolean durable) implements StorageFactory {
        @Override
        public Storage create(PluginConfig config, PluginContext context) {
            throw new UnsupportedOperationException();
        }
    }

    record Transport1(String name, boolean supportsCallOnly) implements TransportFactory {
        @Override
        public Transport create(TransportSetup setup, PluginConfig config, PluginContext context) {
            throw new UnsupportedOperationException();
        }
    }

    record Consensus1(String name, boolean replicated) implements ConsensusFactory {
        @Override
        public Consensus create(ConsensusSetup setup, PluginConfig config, PluginContext context) {
            throw new UnsupportedOperationException();
        }
    }

    record Membership1(String name) implements MembershipFactory {
        @Override
        public Membership create(MembershipSetup setup, PluginConfig config, PluginContext context) {
            throw new UnsupportedOperationException();
        }
    }

    static LoadedPlugin plugin(PluginDescriptor d, ProviderFactory f) {
        Plugin p = new Plugin() {
            @Override
            public PluginDescriptor descriptor() {
                return d;
            }

            @Override
            public List<StorageFactory> storageFactories() {
                return f instanceof StorageFactory s ? List.of(s) : List.of();
            }

            @Override
            public List<TransportFactory> transportFactories() {
                return f instanceof TransportFactory t ? List.of(t) : List.of();
            }

            @Override
            public List<ConsensusFactory> consensusFactories() {
                return f instanceof ConsensusFactory c ? List.of(c) : List.of();
            }

            @Override
            public List<MembershipFactory> membershipFactories() {
                return f instanceof MembershipFactory m ? List.of(m) : List.of();
            }
        };
        return LoadedPlugin.of(p, "test:" + d.name());
    }

    static Capabilities.Choice choice(PluginDescriptor d, ProviderFactory f) {
        return new Capabilities.Choice(f, plugin(d, f));
    }

    static PluginDescriptor desc(String name, SpiKind kind) {
        return PluginDescriptor.of(name, "1.0", "test", kind);
    }

    // ---- a well-equipped cluster, and one capability taken away per test

    final Capabilities.Choice raftLike = choice(desc("c-repl", SpiKind.CONSENSUS)
            .withCapabilities(Capability.REPLICATED, Capability.MEMBERSHIP_CHANGES), new Consensus1("c-repl", true));
    final Capabilities.Choice single = choice(desc("c-single", SpiKind.CONSENSUS).withCapabilities(),
            new Consensus1("c-single", false));
    final Capabilities.Choice durable = choice(desc("s-disk", SpiKind.STORAGE).withCapabilities(Capability.DURABLE),
            new Storage1("s-disk", true));
    final Capabilities.Choice callOnly = choice(desc("t-net", SpiKind.TRANSPORT)
            .withCapabilities(Capability.CALL_ONLY, Capability.LIVE_UPDATE), new Transport1("t-net", true));
    final Capabilities.Choice listensOnly = choice(desc("t-listen", SpiKind.TRANSPORT).withCapabilities(),
            new Transport1("t-listen", false));
    final Capabilities.Choice gossip = choice(desc("m-gossip", SpiKind.MEMBERSHIP).withCapabilities(Capability.PEERS,
            Capability.FAILURE_DETECTION, Capability.QUERIES, Capability.WAN_POOL), new Membership1("m-gossip"));
    final Capabilities.Choice local = choice(desc("m-local", SpiKind.MEMBERSHIP)
            .withCapabilities(Capability.QUERIES, Capability.WAN_POOL), new Membership1("m-local"));
    final Capabilities.Choice noWan = choice(desc("m-nowan", SpiKind.MEMBERSHIP)
            .withCapabilities(Capability.PEERS, Capability.FAILURE_DETECTION), new Membership1("m-nowan"));

    AgentConfig config(Map<String, Object> settings) {
        JsonObject o = new JsonObject();
        o.addProperty("node_name", "n1");
        o.addProperty("data_dir", dir.toString());
        settings.forEach((k, v) -> {
            if (v instanceof Boolean b) {
                o.addProperty(k, b);
            } else if (v instanceof Number n) {
                o.addProperty(k, n);
            } else if (v instanceof List<?> l) {
                JsonArray a = new JsonArray();
                l.forEach(x -> a.add(x.toString()));
                o.add(k, a);
            } else {
                o.addProperty(k, v.toString());
            }
        });
        return new ConfigLoader().add(o, "test").build();
    }

    Capabilities.Chosen server(Capabilities.Choice consensus, Capabilities.Choice membership) {
        return new Capabilities.Chosen(Optional.of(durable), Optional.of(consensus), callOnly, membership);
    }

    // ---- refusals at start

    @Test
    void bootstrapExpectThreeWithASingleServerConsensusIsRefusedNamingSettingPluginAndCapability() {
        var e = assertThrows(ConfigException.class, () -> Capabilities.checkStart(
                config(Map.of("server", true, "bootstrap_expect", 3)), server(single, gossip)));
        assertTrue(e.getMessage().contains("bootstrap_expect = 3"), e.getMessage());
        assertTrue(e.getMessage().contains("c-single"), e.getMessage());
        assertTrue(e.getMessage().contains("REPLICATED"), e.getMessage());
        assertDoesNotThrow(() -> Capabilities.checkStart(config(Map.of("server", true, "bootstrap_expect", 3)),
                server(raftLike, gossip)));
        // one server needs no replication
        assertDoesNotThrow(() -> Capabilities.checkStart(config(Map.of("server", true, "bootstrap", true)),
                server(single, gossip)));
    }

    @Test
    void bootstrapExpectWithAConsensusWithoutMembershipChangesIsRefused() {
        Capabilities.Choice fixed = choice(desc("c-fixed", SpiKind.CONSENSUS).withCapabilities(Capability.REPLICATED),
                new Consensus1("c-fixed", true));
        var e = assertThrows(ConfigException.class, () -> Capabilities.checkStart(
                config(Map.of("server", true, "bootstrap_expect", 3)), server(fixed, gossip)));
        assertTrue(e.getMessage().contains("MEMBERSHIP_CHANGES"), e.getMessage());
    }

    @Test
    void bootstrapExpectWithALocalOnlyMembershipIsRefused() {
        var e = assertThrows(ConfigException.class, () -> Capabilities.checkStart(
                config(Map.of("server", true, "bootstrap_expect", 3)), server(raftLike, local)));
        assertTrue(e.getMessage().contains("m-local") && e.getMessage().contains("PEERS"), e.getMessage());
    }

    @Test
    void joinWanWithAMembershipWithoutAWanPoolIsRefused() {
        AgentConfig c = config(Map.of("server", true, "bootstrap", true, "start_join_wan", List.of("127.0.0.1:8302")));
        var e = assertThrows(ConfigException.class, () -> Capabilities.checkStart(c, server(raftLike, noWan)));
        assertTrue(e.getMessage().contains("-join-wan") && e.getMessage().contains("WAN_POOL"), e.getMessage());
        var e2 = assertThrows(ConfigException.class, () -> Capabilities.checkStart(c, server(raftLike, local)));
        assertTrue(e2.getMessage().contains("PEERS"), e2.getMessage());
        assertDoesNotThrow(() -> Capabilities.checkStart(c, server(raftLike, gossip)));
    }

    @Test
    void aClientAgentOnATransportThatDeclaresNoCallOnlyIsRefused() {
        AgentConfig client = config(Map.of("server", false));
        var e = assertThrows(ConfigException.class, () -> Capabilities.checkStart(client,
                new Capabilities.Chosen(Optional.empty(), Optional.empty(), listensOnly, gossip)));
        assertTrue(e.getMessage().contains("t-listen") && e.getMessage().contains("CALL_ONLY"), e.getMessage());
        assertDoesNotThrow(() -> Capabilities.checkStart(client,
                new Capabilities.Chosen(Optional.empty(), Optional.empty(), callOnly, gossip)));
        // a plugin built before declarations keeps the earlier behaviour: it listens, with a warning
        Capabilities.Choice legacy = choice(desc("t-old", SpiKind.TRANSPORT), new Transport1("t-old", false));
        assertDoesNotThrow(() -> Capabilities.checkStart(client,
                new Capabilities.Chosen(Optional.empty(), Optional.empty(), legacy, gossip)));
    }

    @Test
    void everyRefusalIsReportedAtOnce() {
        AgentConfig c = config(Map.of("server", true, "bootstrap_expect", 3,
                "start_join_wan", List.of("127.0.0.1:8302")));
        var e = assertThrows(ConfigException.class, () -> Capabilities.checkStart(c, server(single, local)));
        assertEquals(4, e.getMessage().lines().count(), e.getMessage());
    }

    /** The check is wired into the agent's start: refused before anything listens, with the reason. */
    @Test
    void theAgentRefusesToStartAReplicatedClusterOnConsensusSingle() {
        PluginRegistry registry = PluginRegistry.of(new ServiceLoaderPluginSource(getClass().getClassLoader()).load());
        JsonObject o = new JsonObject();
        o.addProperty("node_name", "n1");
        o.addProperty("server", true);
        o.addProperty("bootstrap_expect", 3);
        o.addProperty("data_dir", dir.toString());
        o.addProperty("bind_addr", "127.0.0.1");
        JsonObject plugins = new JsonObject();
        plugins.addProperty("storage", "storage-memory");
        plugins.addProperty("consensus", "consensus-single");
        plugins.addProperty("transport", "transport-inproc");
        plugins.addProperty("membership", "gossip-swim");
        o.add("plugins", plugins);
        JsonObject ports = new JsonObject();
        for (String p : List.of("http", "dns", "grpc", "server", "serf_lan", "serf_wan")) {
            ports.addProperty(p, 0);
        }
        o.add("ports", ports);
        AgentConfig cfg = new ConfigLoader().add(o, "test").build();
        var e = assertThrows(ConfigException.class, () -> Agent.start(cfg, registry, "test"));
        assertTrue(e.getMessage().contains("consensus-single") && e.getMessage().contains("REPLICATED"),
                e.getMessage());
    }

    // ---- reading, with the fallbacks for plugins that declare nothing

    @Test
    void undeclaredPluginsAreReadFromTheirFactoriesAndOtherwiseSupported() {
        LoadedPlugin s = plugin(desc("s-old", SpiKind.STORAGE), new Storage1("s-old", true));
        assertTrue(Capabilities.has(s, new Storage1("s-old", true), Capability.DURABLE));
        LoadedPlugin c = plugin(desc("c-old", SpiKind.CONSENSUS), new Consensus1("c-old", false));
        assertFalse(Capabilities.has(c, new Consensus1("c-old", false), Capability.REPLICATED));
        assertFalse(Capabilities.has(c, new Consensus1("c-old", false), Capability.MEMBERSHIP_CHANGES));
        LoadedPlugin m = plugin(desc("m-old", SpiKind.MEMBERSHIP), new Membership1("m-old"));
        assertEquals(EnumSet.of(Capability.PEERS, Capability.FAILURE_DETECTION, Capability.QUERIES,
                Capability.WAN_POOL, Capability.LIVE_UPDATE), Capabilities.of(m, new Membership1("m-old")));
        // a declaration wins, and a capability of another area is never reported
        assertEquals(EnumSet.of(Capability.QUERIES, Capability.WAN_POOL), Capabilities.of(local.plugin(),
                local.factory()));
        assertFalse(Capabilities.has(local.plugin(), local.factory(), Capability.DURABLE));
    }

    // ---- at load

    @Test
    void aDescriptorContradictingItsFactoryIsRefusedAtLoad() {
        LoadedPlugin lying = plugin(desc("s-lie", SpiKind.STORAGE).withCapabilities(Capability.DURABLE),
                new Storage1("s-lie", false));
        var e = assertThrows(PluginLoadException.class, () -> PluginRegistry.of(List.of(lying)));
        assertTrue(e.getMessage().contains("test:s-lie") && e.getMessage().contains("DURABLE"), e.getMessage());
        LoadedPlugin quiet = plugin(desc("t-lie", SpiKind.TRANSPORT).withCapabilities(),
                new Transport1("t-lie", true));
        var e2 = assertThrows(PluginLoadException.class, () -> PluginRegistry.of(List.of(quiet)));
        assertTrue(e2.getMessage().contains("CALL_ONLY absent"), e2.getMessage());
        LoadedPlugin c = plugin(desc("c-lie", SpiKind.CONSENSUS).withCapabilities(Capability.REPLICATED),
                new Consensus1("c-lie", false));
        assertThrows(PluginLoadException.class, () -> PluginRegistry.of(List.of(c)));
        // an undeclared durable factory is still accepted (plugins built before 1.x declarations)
        LoadedPlugin old = plugin(desc("s-old", SpiKind.STORAGE), new Storage1("s-old", true));
        assertEquals(1, PluginRegistry.of(List.of(old)).plugins().size());
    }

    @Test
    void liveUpdateIsRefusedOnlyForAPluginThatDeclaresItCannot() {
        assertTrue(Capabilities.liveUpdateRefusal(listensOnly.plugin()).isPresent());
        assertTrue(Capabilities.liveUpdateRefusal(listensOnly.plugin()).get().contains("LIVE_UPDATE"));
        assertTrue(Capabilities.liveUpdateRefusal(callOnly.plugin()).isEmpty());
        assertTrue(Capabilities.liveUpdateRefusal(plugin(desc("t-old", SpiKind.TRANSPORT),
                new Transport1("t-old", false))).isEmpty());
    }

    // ---- the descriptor itself

    @Test
    void theDescriptorRefusesCapabilitiesOfAreasItDoesNotProvideAndKeepsDurableInStep() {
        assertThrows(IllegalArgumentException.class, () -> desc("x", SpiKind.STORAGE)
                .withCapabilities(Capability.CALL_ONLY));
        assertThrows(IllegalArgumentException.class, () -> new PluginDescriptor("x", "1", "d", Set.of(SpiKind.STORAGE),
                1, 0, false, Set.of(Capability.DURABLE), true));
        assertThrows(IllegalArgumentException.class, () -> new PluginDescriptor("x", "1", "d", Set.of(SpiKind.STORAGE),
                1, 0, false, Set.of(Capability.DURABLE), false));
        PluginDescriptor d = desc("x", SpiKind.STORAGE).withCapabilities(Capability.DURABLE);
        assertTrue(d.durable());
        assertFalse(d.withDurable(false).capabilities().contains(Capability.DURABLE));
        assertEquals(Optional.of(false), d.declares(Capability.LIVE_UPDATE));
        assertEquals(Optional.empty(), d.declares(Capability.CALL_ONLY), "another area's capability is not declared");
        assertEquals(Optional.empty(), desc("y", SpiKind.STORAGE).declares(Capability.DURABLE));
        assertTrue(desc("y", SpiKind.STORAGE).withDurable(true).supports(Capability.DURABLE));
    }
}
