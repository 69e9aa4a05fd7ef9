package io.tribune.agent.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.transport.Endpoint;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterLogTest {
    private static Leadership led(long term, String leader) {
        return new Leadership(term, false, leader == null ? Optional.empty()
                : Optional.of(new ServerInfo(leader, new Endpoint("127.0.0.1", 8300), true)));
    }

    @Test
    void oneLinePerLeaderChange() {
        ClusterLog c = new ClusterLog("s1");
        assertEquals(Optional.empty(), c.onLeadership(led(1, null)), "no leader yet: nothing to say");
        assertEquals(Optional.of("New leader elected: s2 (term 2)"), c.onLeadership(led(2, "s2")));
        assertEquals(Optional.empty(), c.onLeadership(led(2, "s2")), "the same report again");
        assertEquals(Optional.of("cluster leadership acquired (term 3)"), c.onLeadership(led(3, "s1")));
        assertEquals(Optional.of("leader s1 re-elected (term 4)"), c.onLeadership(led(4, "s1")));
        assertEquals(Optional.empty(), c.onLeadership(led(5, null)), "an election in progress is not news");
    }

    @Test
    void joinedOncePerLeaderAndLostOnce() {
        ClusterLog c = new ClusterLog("c1");
        assertEquals(Optional.empty(), c.onLeaderAnswer(""), "never joined: nothing lost");
        assertEquals(Optional.of("joined cluster with leader 127.0.0.1:8300"), c.onLeaderAnswer("127.0.0.1:8300"));
        assertEquals(Optional.empty(), c.onLeaderAnswer("127.0.0.1:8300"));
        assertEquals(Optional.of("lost cluster leader 127.0.0.1:8300: no leader known"), c.onLeaderAnswer(null));
        assertEquals(Optional.empty(), c.onLeaderAnswer(""));
        assertEquals(Optional.of("joined cluster with leader 127.0.0.2:8300"), c.onLeaderAnswer("127.0.0.2:8300"));
    }
}
