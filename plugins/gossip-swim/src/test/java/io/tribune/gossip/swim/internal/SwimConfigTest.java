package io.tribune.gossip.swim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.SpiKind;
import io.tribune.api.membership.Pool;
import io.tribune.gossip.swim.internal.core.SwimTiming;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SwimConfigTest {

    @Test
    void poolPicksThePresetAndProfileOverridesIt() {
        assertEquals("lan", SwimConfig.parse(PluginConfig.empty(), Pool.LAN).timing().name());
        assertEquals("wan", SwimConfig.parse(PluginConfig.empty(), Pool.WAN).timing().name());
        SwimConfig c = SwimConfig.parse(PluginConfig.of(Map.of("gossip-swim.profile", "local",
                "gossip-swim.reap-timeout", "10s")), Pool.WAN);
        assertEquals("local", c.timing().name());
        assertEquals(Duration.ofSeconds(10), c.timing().reapTimeout());
        assertNull(c.keyring());
    }

    @Test
    void handoverKeysAreReadAndCheckedAndAbsentByDefault() {
        SwimConfig none = SwimConfig.parse(PluginConfig.empty(), Pool.LAN);
        assertEquals(-1, none.handoverIncarnation());
        assertEquals(-1, none.handoverEventClock());
        SwimConfig c = SwimConfig.parse(PluginConfig.of(Map.of("gossip-swim.handover.incarnation", "7",
                "gossip-swim.handover.event-clock", "42")), Pool.LAN);
        assertEquals(7, c.handoverIncarnation());
        assertEquals(42, c.handoverEventClock());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SwimConfig.parse(PluginConfig.of(Map.of("gossip-swim.handover.incarnation", "-2")), Pool.LAN));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("gossip-swim.handover.incarnation"),
                e.getMessage());
    }

    @Test
    void presetsMatchTheDocumentedValues() {
        SwimTiming lan = SwimTiming.lan();
        assertEquals(Duration.ofMillis(400), lan.probeInterval());
        assertEquals(Duration.ofMillis(200), lan.probeTimeout());
        assertEquals(4, lan.suspicionMult());
        assertEquals(3, lan.indirectChecks());
        assertEquals(4, lan.retransmitMult());
        assertEquals(Duration.ofMillis(200), lan.gossipInterval());
        assertEquals(3, lan.gossipNodes());
        assertEquals(Duration.ofSeconds(30), lan.pushPullInterval());
        SwimTiming wan = SwimTiming.wan();
        assertEquals(Duration.ofSeconds(5), wan.probeInterval());
        assertEquals(Duration.ofSeconds(3), wan.probeTimeout());
        assertEquals(6, wan.suspicionMult());
        assertEquals(Duration.ofMillis(500), wan.gossipInterval());
        assertEquals(4, wan.gossipNodes());
        assertEquals(Duration.ofSeconds(60), wan.pushPullInterval());
        assertEquals(Duration.ofSeconds(60), wan.gossipToTheDead());
        wan.validate();
        SwimTiming.local().validate();
        assertEquals(Duration.ofSeconds(30), SwimConfig.parse(PluginConfig.empty(), Pool.WAN).streamTimeout(),
                "memberlist's WAN TCP timeout");
        assertEquals(Duration.ofSeconds(10), SwimConfig.parse(PluginConfig.empty(), Pool.LAN).streamTimeout());
        assertEquals(Duration.ofSeconds(2), SwimConfig.parse(PluginConfig.of(Map.of("gossip-swim.profile", "local")),
                Pool.WAN).streamTimeout());
        assertEquals(Duration.ofSeconds(5), SwimConfig.parse(PluginConfig.of(Map.of("gossip-swim.stream-timeout",
                "5s")), Pool.WAN).streamTimeout());
    }

    @Test
    void badValuesAreRefusedNamingTheKeyAndNeverTheSecret() {
        Map<String, String> bad = Map.of(
                "gossip-swim.profile", "lan2",
                "gossip-swim.encrypt", "c2VjcmV0",
                "gossip-swim.udp-packet-bytes", "100",
                "gossip-swim.join-retries", "-1",
                "gossip-swim.typo", "1",
                "gossip-swim.encrypt-keys", "abc",
                "gossip-swim.stream-timeout", "0s");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> SwimConfig.parse(PluginConfig.of(Map.of(e.getKey(), e.getValue())), Pool.LAN), e.getKey());
            assertTrue(ex.getMessage().contains(e.getKey()), ex.getMessage());
            assertFalse(ex.getMessage().contains("c2VjcmV0"), "secret not echoed");
        }
        assertThrows(IllegalArgumentException.class, () -> SwimConfig.parse(PluginConfig.of(Map.of(
                "gossip-swim.profile", "local", "gossip-swim.push-pull-interval", "0s")), Pool.LAN));
    }

    @Test
    void encryptionKeysAreSecretAndBuildAKeyring() {
        assertEquals(Set.of("gossip-swim.encrypt", "gossip-swim.encrypt-keys"), new SwimMembershipFactory().secretConfigKeys());
        String k = java.util.Base64.getEncoder().encodeToString(new byte[16]);
        String k2 = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        SwimConfig c = SwimConfig.parse(PluginConfig.of(Map.of("gossip-swim.encrypt", k, "gossip-swim.encrypt-keys", k2)),
                Pool.LAN);
        assertEquals(List.of(k, k2), c.keyring().keys());
    }

    @Test
    void pluginIsRegisteredAsServiceProvider() {
        Module module = SwimPlugin.class.getModule();
        assertTrue(module.isNamed());
        assertTrue(module.getDescriptor().provides().stream().anyMatch(p -> p.service().equals(Plugin.class.getName())
                && p.providers().equals(List.of(SwimPlugin.class.getName()))));
        Plugin p = new SwimPlugin();
        assertEquals("gossip-swim", p.descriptor().name());
        assertEquals(Set.of(SpiKind.MEMBERSHIP), p.descriptor().provides());
        assertEquals("gossip-swim", p.membershipFactories().get(0).name());
    }
}
