package io.tribune.agent.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFactsTest {
    @TempDir
    Path dir;

    private static final Map<String, String> PROC = Map.of(
            "/proc/meminfo", "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    600 kB\n"
                    + "Buffers:          50 kB\nCached:          250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n",
            "/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
                    + "model name\t: Xeon\ncpu MHz\t\t: 2000.5\ncache size\t: 1024 KB\nflags\t\t: fpu sse\n\n"
                    + "processor\t: 1\nvendor_id\t: GenuineIntel\n",
            "/proc/sys/kernel/hostname", "box\n",
            "/proc/uptime", "1234.56 99.0\n",
            "/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");

    @SuppressWarnings("unchecked")
    @Test
    void shapeFollowsConsulFromProcFiles() {
        Map<String, Object> h = HostFacts.collect(dir, 42L, p -> {
            String s = PROC.get(p.toString());
            if (s == null) {
                throw new IllegalStateException("no " + p);
            }
            return s;
        });
        assertEquals(List.of("Memory", "CPU", "Host", "Disk", "CollectionTime", "Errors"), List.copyOf(h.keySet()));
        Map<String, Object> mem = (Map<String, Object>) h.get("Memory");
        assertEquals(1000L * 1024, mem.get("total"));
        assertEquals(600L * 1024, mem.get("available"));
        assertEquals(600L * 1024, mem.get("used"), "total - free - buffers - cached");
        assertEquals(60.0, (double) mem.get("usedPercent"), 1e-9);
        List<Map<String, Object>> cpus = (List<Map<String, Object>>) h.get("CPU");
        assertEquals(2, cpus.size());
        assertEquals("Xeon", cpus.get(0).get("modelName"));
        assertEquals(1024, cpus.get(0).get("cacheSize"));
        assertEquals(List.of("fpu", "sse"), cpus.get(0).get("flags"));
        assertEquals(1, cpus.get(1).get("cpu"));
        Map<String, Object> host = (Map<String, Object>) h.get("Host");
        assertEquals("box", host.get("hostname"));
        assertEquals(1234L, host.get("uptime"));
        assertEquals("debian", host.get("platform"));
        assertEquals("12", host.get("platformVersion"));
        Map<String, Object> disk = (Map<String, Object>) h.get("Disk");
        assertEquals(dir.toString(), disk.get("path"));
        assertTrue((long) disk.get("total") > 0);
        assertEquals(42L, h.get("CollectionTime"));
        assertNull(h.get("Errors"), "machine-id is optional, everything else was readable");
    }

    @SuppressWarnings("unchecked")
    @Test
    void unreadableFactsAreReportedInErrorsAndKeysStay() {
        Map<String, Object> h = HostFacts.collect(dir, 1L, p -> {
            throw new IllegalStateException("cannot read " + p);
        });
        List<String> errors = (List<String>) h.get("Errors");
        assertTrue(errors.stream().anyMatch(e -> e.startsWith("memory: cannot read /proc/meminfo")), errors.toString());
        assertTrue(((List<?>) h.get("CPU")).size() >= 1, "falls back to the JVM's processors");
        assertTrue(((Map<String, Object>) h.get("Memory")).containsKey("total"));
    }
}
