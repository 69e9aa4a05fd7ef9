package com.example.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.agent.model.NewService;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.HealthService;
import io.tribune.embedded.EmbeddedAgent;
import io.tribune.embedded.TribuneAddresses;
import io.tribune.embedded.junit.TribuneAgent;
import java.util.Hashtable;
import java.util.List;
import javax.naming.Context;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.junit.jupiter.api.Test;

/**
 * Code that talks to Consul, tested against an embedded Tribune agent: one agent for the class,
 * its addresses handed to the tests by the JUnit extension.
 */
@TribuneAgent(nodeName = "example", keys = "config/app/mode=test")
class ConsulClientTest {

    private static ConsulClient client(TribuneAddresses consul) {
        return new ConsulClient(consul.http().getHostString(), consul.http().getPort());
    }

    @Test
    void putsAndGetsAKey(TribuneAddresses consul) {
        ConsulClient c = client(consul);
        c.setKVValue("config/app/colour", "blue");
        assertEquals("blue", c.getKVValue("config/app/colour").getValue().getDecodedValue());
        // written by the annotation before the tests
        assertEquals("test", c.getKVValue("config/app/mode").getValue().getDecodedValue());
        assertNull(c.getKVValue("config/app/absent").getValue());
    }

    @Test
    void registeredServiceIsHealthyAndResolvesOverDns(TribuneAddresses consul) throws Exception {
        ConsulClient c = client(consul);
        NewService web = new NewService();
        web.setId("web-1");
        web.setName("web");
        web.setAddress("127.0.0.1");
        web.setPort(8080);
        c.agentServiceRegister(web);

        List<HealthService> healthy = c.getHealthServices("web",
                HealthServicesRequest.newBuilder().setPassing(true).setQueryParams(QueryParams.DEFAULT).build())
                .getValue();
        assertEquals(1, healthy.size());
        assertEquals("web-1", healthy.get(0).getService().getId());
        assertEquals(8080, healthy.get(0).getService().getPort());

        // the JDK's own DNS client (JNDI), pointed at the agent's DNS port
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(Context.PROVIDER_URL, "dns://127.0.0.1:" + consul.dns().getPort());
        DirContext dns = new InitialDirContext(env);
        try {
            Attribute a = dns.getAttributes("web.service.consul", new String[] {"A"}).get("A");
            assertEquals(1, a.size());
            assertEquals("127.0.0.1", a.get(0));
        } finally {
            dns.close();
        }
    }

    @Test
    @TribuneAgent(aclMasterToken = "root-token")
    void aMethodCanHaveItsOwnAgentWithAcls(EmbeddedAgent agent) {
        ConsulClient c = new ConsulClient(agent.httpAddress().getHostString(), agent.httpAddress().getPort());
        c.setKVValue("locked", "yes", "root-token", null, QueryParams.DEFAULT);
        assertEquals("yes", c.getKVValue("locked", "root-token").getValue().getDecodedValue());
        // without a token, ACLs (default deny) refuse the read, as Consul does
        OperationException denied = assertThrows(OperationException.class, () -> c.getKVValue("locked"));
        assertEquals(403, denied.getStatusCode());
    }
}
