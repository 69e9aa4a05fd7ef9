package io.tribune.agent.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.testing.DevAgents;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.StorageFactory;
import io.tribune.api.transport.Transport;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which running plugins an agent replaces live, and what it reports as running (a dev agent in
 * process; the Felix hand-over itself is tested on real processes by {@code LiveUpdateIT}).
 */
class LiveUpdateRulesTest {
    static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        agent = DevAgents.start("live", 18541);
    }

    @AfterAll
    static void stop() {
        agent.shutdown(false);
    }

    @Test
    void runningPluginsAreTheChosenOnesWithTheirVersionsAndOrigins() throws Exception {
        List<RunningPlugin> running = DevAgents.call(agent, new AgentOps.Plugins()).value();
        assertEquals(List.of(SpiKind.STORAGE, SpiKind.TRANSPORT, SpiKind.CONSENSUS, SpiKind.MEMBERSHIP),
                running.stream().map(RunningPlugin::kind).toList());
        assertEquals(List.of("storage-memory", "transport-inproc", "consensus-single", "membership-static"),
                running.stream().map(RunningPlugin::plugin).toList());
        assertTrue(running.stream().allMatch(r -> !r.version().isEmpty() && !r.origin().isEmpty() && r.sinceMillis() > 0),
                running.toString());
    }

    @Test
    void withoutAnUpdatingRuntimeStorageConsensusAndMembershipNeedARestartAndNothingChanges() {
        // Storage and consensus always need a restart; membership only here, with no Felix runtime to
        // swap it (LiveUpdateMembershipIT swaps gossip-swim under Felix).
        Transport before = agent.transport();
        for (String name : List.of("storage-memory", "consensus-single", "membership-static")) {
            AgentException e = assertThrows(AgentException.class, () -> agent.updatePlugin(name, Optional.empty()));
            assertEquals(AgentException.Kind.UNSUPPORTED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("restart"), e.getMessage());
        }
        assertSame(before, agent.transport());
    }

    @Test
    void transportWithoutAnUpdatingRuntimeNeedsARestart() {
        AgentException e = assertThrows(AgentException.class, () -> agent.updatePlugin("transport-inproc",
                Optional.of(Path.of("/nonexistent.jar"))));
        assertEquals(AgentException.Kind.UNSUPPORTED, e.kind(), e.getMessage());
        assertTrue(((SwappableTransport) agent.transport()).current() != null, "the transport still runs");
    }

    @Test
    void unknownPluginIsNotFoundNamingWhatRuns() {
        AgentException e = assertThrows(AgentException.class, () -> agent.updatePlugin("transport-nope",
                Optional.empty()));
        assertEquals(AgentException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("transport-inproc"), e.getMessage());
    }

    @Test
    void aPluginFindsAnotherInstalledFactoryButNeverItself() {
        // What Agent hands to every plugin instance: the registry's lookup.
        var ctx = new io.tribune.agent.platform.AgentPluginContext("n", "dc1", agent.platform().clock(),
                agent.platform().scheduler(), 1, "storage-counting", io.tribune.api.Metrics.noop(), Optional.empty(),
                (kind, name) -> kind == SpiKind.STORAGE && name.equals("storage-memory")
                        ? new PluginRegistryTest.NamedStorage("storage-memory") : null);
        assertEquals("storage-memory", ctx.factory(SpiKind.STORAGE, StorageFactory.class, "storage-memory")
                .orElseThrow().name());
        assertTrue(ctx.factory(SpiKind.STORAGE, StorageFactory.class, "storage-counting").isEmpty());
        assertTrue(ctx.factory(SpiKind.STORAGE, StorageFactory.class, "storage-nope").isEmpty());
        assertTrue(ctx.factory(SpiKind.STORAGE, io.tribune.api.transport.TransportFactory.class, "storage-memory")
                .isEmpty(), "a factory of another type is not handed out");
    }
}
