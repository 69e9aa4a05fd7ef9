package io.tribune.gossip.swim.internal.driver;

import io.tribune.api.PluginConfig;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.gossip.swim.internal.SwimMembershipFactory;
import io.tribune.tck.membership.MembershipConformanceTest;
import io.tribune.tck.membership.MembershipEnvironment;
import java.time.Duration;
import java.util.Map;

/** Binds the membership kit to {@code gossip-swim}: real UDP/TCP on 127.0.0.1, the {@code local} preset. */
public class SwimMembershipMembershipConformanceTest extends MembershipConformanceTest {

    @Override
    protected MembershipFactory factory() {
        return new SwimMembershipFactory();
    }

    @Override
    protected MembershipEnvironment environment() {
        return MembershipEnvironment.real();
    }

    @Override
    protected PluginConfig config(int i) {
        // Keep FAILED members listed for the whole test; fail an unreachable join at once.
        return PluginConfig.of(Map.of("gossip-swim.profile", "local", "gossip-swim.reap-timeout", "5m",
                "gossip-swim.join-retries", "0", "gossip-swim.stream-timeout", "1s"));
    }

    @Override
    protected Duration quietPeriod() {
        return Duration.ofMillis(800);
    }

    @Override
    protected Duration failureDetectionLimit() {
        return Duration.ofSeconds(20);
    }
}
