package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Reading and validating the {@code tribune.dns.*} properties. */
class DnsSettingsTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(DnsSettings.PREFIX + kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void absentKeysGiveConsulDefaults() {
        DnsSettings s = DnsSettings.fromProperties(new Properties());
        assertEquals(DnsSettings.DEFAULT, s);
        assertEquals("consul", s.domain());
        assertEquals(Duration.ZERO, s.nodeTtl());
        assertEquals(Duration.ZERO, s.serviceTtl());
        assertTrue(s.recursors().isEmpty());
    }

    @Test
    void keysAreParsed() {
        DnsSettings s = DnsSettings.fromProperties(props("domain", "Tribune.Local.", "node-ttl", "30",
                "service-ttl", "5", "only-passing", "true", "recursors", "127.0.0.1:5353, [::1]:54 ,127.0.0.2",
                "recursor-timeout-ms", "750"));
        assertEquals("tribune.local", s.domain());
        assertEquals(Duration.ofSeconds(30), s.nodeTtl());
        assertEquals(Duration.ofSeconds(5), s.serviceTtl());
        assertTrue(s.onlyPassing());
        assertEquals(Duration.ofMillis(750), s.recursorTimeout());
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("::1", 54),
                new InetSocketAddress("127.0.0.2", 53)), s.recursors());
    }

    @Test
    void badValuesAreRejectedWithTheKey() {
        String[][] bad = {
            {"node-ttl", "-1"}, {"node-ttl", "x"}, {"service-ttl", "100000"}, {"only-passing", "maybe"},
            {"recursors", "127.0.0.1:0"}, {"recursors", "127.0.0.1:abc"}, {"recursors", "[::1"},
            {"domain", "bad domain"}, {"domain", "."}, {"recursor-timeout-ms", "0"}, {"udp-workers", "0"},
            {"max-tcp-query-bytes", "100"},
        };
        for (String[] kv : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DnsSettings.fromProperties(props(kv[0], kv[1])), kv[0] + "=" + kv[1]);
            String key = kv[0].replace("-ms", "").replaceAll("s$", "");
            assertTrue(e.getMessage().contains(key), "names " + key + ": " + e.getMessage());
        }
    }
}
