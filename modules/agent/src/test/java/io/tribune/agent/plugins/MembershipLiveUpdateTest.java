package io.tribune.agent.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.testing.DevAgents;
import io.tribune.api.SpiKind;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's membership branch of a live update, in process: a dev agent (membership-static) with a
 * runtime double that "swaps the code" by handing back the same plugin under another origin, the way
 * Felix hands back the new revision. The hand-over on real processes and gossip-swim is
 * {@code LiveUpdateMembershipIT}.
 */
class MembershipLiveUpdateTest {
    static Agent agent;

    /** A runtime double: runs releaseOld, then answers the plugin found on the class path (or fails). */
    static final class Runtime implements PluginSource {
        final String name;
        final boolean fail;
        int updates;

        Runtime(String name, boolean fail) {
            this.name = name;
            this.fail = fail;
        }

        @Override
        public String runtime() {
            return name;
        }

        @Override
        public List<LoadedPlugin> load() {
            return new ServiceLoaderPluginSource(MembershipLiveUpdateTest.class.getClassLoader()).load();
        }

        @Override
        public LoadedPlugin update(String plugin, Optional<Path> jar, Runnable releaseOld) {
            releaseOld.run();
            updates++;
            if (fail) {
                throw new PluginLoadException("the new revision of plugin '" + plugin + "' does not start");
            }
            LoadedPlugin p = load().stream().filter(l -> l.descriptor().name().equals(plugin)).findFirst().orElseThrow();
            return new LoadedPlugin(p.plugin(), p.descriptor(), "revision-" + updates);
        }

        @Override
        public void close() {
        }
    }

    @BeforeAll
    static void start() throws Exception {
        agent = DevAgents.start("swap", 18551);
    }

    @AfterAll
    static void stop() {
        agent.shutdown(false);
    }

    static SwappableMembership front() {
        return (SwappableMembership) agent.membership();
    }

    @Test
    void membershipIsReplacedBehindTheSameFrontWithNoEventAndTheNewOriginIsReported() {
        List<String> events = new CopyOnWriteArrayList<>();
        var sub = agent.membership().subscribe(new MembershipListener() {
            @Override
            public void onMemberEvent(MemberEvent e) {
                events.add(e.type() + " " + e.member().name());
            }
        });
        Membership before = front().current();
        agent.enableLiveUpdate(new Runtime("felix", false));

        // membership-static refuses unknown keys: the agent creates it again without the hand-over keys.
        List<RunningPlugin> running = agent.updatePlugin("membership-static", Optional.empty());

        RunningPlugin m = running.stream().filter(r -> r.kind() == SpiKind.MEMBERSHIP).findFirst().orElseThrow();
        assertTrue(m.origin().startsWith("revision-"), m.toString());
        assertNotSame(before, front().current(), "a new instance runs");
        assertEquals("swap", agent.membership().localMember().name());
        assertTrue(agent.membership().members().stream().anyMatch(x -> x.name().equals("swap")));
        assertEquals(List.of(), events, "the new instance's JOIN of itself is no news to the agent's listeners");
        assertTrue(front().keyring().isEmpty() && front().queries().isPresent());
        sub.close();
    }

    @Test
    void aFailedUpdateRestartsThePreviousRevision() {
        agent.enableLiveUpdate(new Runtime("felix", true));
        AgentException e = assertThrows(AgentException.class, () -> agent.updatePlugin("membership-static",
                Optional.empty()));
        assertEquals(AgentException.Kind.INTERNAL, e.kind());
        assertTrue(e.getMessage().contains("does not start") && e.getMessage().contains("previous version runs"),
                e.getMessage());
        assertTrue(front().current() != null && !front().released(), "the old revision runs again");
        assertEquals("swap", agent.membership().localMember().name());
    }

    @Test
    void theJpmsRuntimeAnswersRestartAndNothingIsReleased() {
        Membership before = front().current();
        agent.enableLiveUpdate(new Runtime("jpms", false));
        AgentException e = assertThrows(AgentException.class, () -> agent.updatePlugin("membership-static",
                Optional.empty()));
        assertEquals(AgentException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("restart"), e.getMessage());
        assertSame(before, front().current());
    }
}
