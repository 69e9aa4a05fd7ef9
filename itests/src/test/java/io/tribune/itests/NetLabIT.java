package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The network of the fault harness on its own: agents in a {@link NetLab} reach each other and the
 * test JVM reaches them; a partition really drops traffic between the two sides (and only there);
 * healing restores it; closing removes every namespace and link; leftovers of a dead run are swept.
 * The programs inside namespaces are {@link NetLabProbe} on this JVM's own {@code java}. Skipped
 * with the reason where namespaces cannot be made.
 */
@Timeout(300)
class NetLabIT {
    private static final int PORT = 7070;
    private static final int CUT_MILLIS = 1500;

    @BeforeEach
    void needsNamespaces() {
        String why = NetLab.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "network namespaces unavailable: " + why);
    }

    private static List<String> java(NetLab lab, int agent, String... args) {
        List<String> cmd = new ArrayList<>(lab.execPrefix(agent));
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("-cp", probeClassPath(), NetLabProbe.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Where NetLabProbe's class is (it needs nothing else). */
    private static String probeClassPath() {
        try {
            return Path.of(NetLabProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether agent {@code from} gets an answer from the listener of agent {@code to}. */
    private static boolean reaches(NetLab lab, int from, int to) throws Exception {
        Process p = new ProcessBuilder(java(lab, from, "connect", lab.address(to), Integer.toString(PORT),
                Integer.toString(CUT_MILLIS))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() == 0 && out.startsWith("hello");
    }

    private static boolean hostReaches(NetLab lab, int to) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(lab.address(to), PORT), CUT_MILLIS);
            s.setSoTimeout(CUT_MILLIS);
            return new String(s.getInputStream().readNBytes(5), StandardCharsets.UTF_8).equals("hello");
        } catch (IOException e) {
            return false;
        }
    }

    private static String netnsList() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void partitionCutsOnlyTheChosenPairsAndHealRestoresThem() throws Exception {
        List<Process> listeners = new ArrayList<>();
        String prefix;
        try (NetLab lab = NetLab.create(3)) {
            prefix = lab.namespace(0).substring(0, lab.namespace(0).length() - 2);
            try {
                for (int i = 0; i < 3; i++) {
                    Process l = new ProcessBuilder(java(lab, i, "listen", lab.address(i), Integer.toString(PORT)))
                            .redirectErrorStream(true).start();
                    listeners.add(l);
                    byte[] first = l.getInputStream().readNBytes("listening".length());
                    assertEquals("listening", new String(first, StandardCharsets.UTF_8));
                }
                assertTrue(reaches(lab, 0, 1), "0 -> 1 before any partition");
                assertTrue(reaches(lab, 2, 0), "2 -> 0 before any partition");
                assertTrue(hostReaches(lab, 0), "test JVM -> 0");

                lab.partition(Set.of(0), Set.of(1));
                assertTrue(lab.partitioned());
                assertFalse(reaches(lab, 0, 1), "0 -> 1 across the partition");
                assertFalse(reaches(lab, 1, 0), "1 -> 0 across the partition");
                assertTrue(reaches(lab, 0, 2), "0 -> 2 is not partitioned");
                assertTrue(reaches(lab, 2, 1), "2 -> 1 is not partitioned");
                assertTrue(hostReaches(lab, 0) && hostReaches(lab, 1), "the test JVM still reaches both sides");

                lab.heal();
                assertFalse(lab.partitioned());
                assertTrue(reaches(lab, 0, 1), "0 -> 1 after healing");
                assertTrue(reaches(lab, 1, 0), "1 -> 0 after healing");
            } finally {
                listeners.forEach(Process::destroyForcibly);
            }
        }
        assertFalse(netnsList().contains(prefix), "namespaces left after close:\n" + netnsList());
    }

    @Test
    void leftoversOfADeadRunAreRemoved() throws Exception {
        // a PID that is certainly no longer running: a process that has already exited
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String ns = "tfh" + gone.pid() + "n0";
        Process add = new ProcessBuilder("ip", "netns", "add", ns).redirectErrorStream(true).start();
        assertEquals(0, add.waitFor());
        assertTrue(netnsList().contains(ns));
        NetLab.removeLeftovers();
        assertFalse(netnsList().contains(ns), "leftover " + ns + " was not removed");
    }

    @Test
    void namespacesOfALiveRunAreLeftAlone() throws Exception {
        try (NetLab lab = NetLab.create(1)) {
            NetLab.removeLeftovers();
            assertTrue(netnsList().contains(lab.namespace(0)), "a live run's namespace was removed");
        }
    }
}
