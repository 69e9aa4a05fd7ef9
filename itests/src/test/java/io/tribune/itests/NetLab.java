package io.tribune.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private network of Linux network namespaces for the fault harness: one namespace per agent, each
 * joined by a veth pair to one router namespace, which forwards between them; the test JVM reaches
 * the router through one more veth pair. Addresses are {@code 10.211.K.i/32} (K chosen free at
 * setup), which never leave the machine: nothing routes them beyond the router.
 *
 * <p>Why a router and not a bridge: a partition is then an {@code ip rule ... blackhole} in the
 * router's namespace, which silently drops forwarded packets between two chosen agents (as a broken
 * switch would, so senders see timeouts, not errors) while the test JVM still reaches every agent;
 * it needs only iproute2 (this machine's kernel has no tc actions, and nftables is not installed).
 * Forwarding is switched on in the router's namespace only; the host's sysctls are not touched.
 *
 * <p>Names start with {@code tfh<pid>} (the test JVM's PID): {@link #removeLeftovers()} deletes the
 * namespaces and links of harness runs whose JVM is gone, and kills processes still inside them
 * (only the harness starts processes there). {@link #close()} removes everything this lab made; a
 * shutdown hook does the same if the JVM exits without calling it.
 *
 * <p>Threading: the partition methods may be called from any thread; they are serialized.
 */
final class NetLab implements AutoCloseable {
    private static final Pattern OURS = Pattern.compile("^tfh(\\d+)");

    private final String prefix;
    private final String router;
    private final int subnet;
    private final List<String> namespaces = new ArrayList<>();
    private final Set<String> rules = new LinkedHashSet<>();
    private final Thread hook;
    private boolean closed;

    private NetLab(String prefix, int subnet) {
        this.prefix = prefix;
        this.router = prefix + "r";
        this.subnet = subnet;
        this.hook = new Thread(this::removeAll, "netlab-cleanup");
    }

    /**
     * Why this machine cannot run a lab, or {@code null} when it can: needs Linux, {@code ip}
     * (iproute2), and the right to make network namespaces (root), which it tries once.
     */
    static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "network namespaces need Linux";
        }
        String probe = "tfh" + ProcessHandle.current().pid() + "probe";
        try {
            Out add = run(List.of("ip", "netns", "add", probe));
            if (add.code != 0) {
                return "'ip netns add' failed (it needs root or CAP_SYS_ADMIN and CAP_NET_ADMIN): "
                        + add.text.strip();
            }
            run(List.of("ip", "netns", "del", probe));
            return null;
        } catch (IOException e) {
            return "iproute2 ('ip') is not installed: " + e.getMessage();
        }
    }

    /**
     * Creates a lab of {@code agents} namespaces; agent {@code i} (0-based) gets address
     * {@link #address(int)}.
     *
     * @throws IOException when a command fails; what was made is removed again
     */
    static NetLab create(int agents) throws IOException {
        if (agents < 1 || agents > 200) {
            throw new IllegalArgumentException("agents must be 1..200: " + agents);
        }
        removeLeftovers();
        String prefix = "tfh" + ProcessHandle.current().pid();
        NetLab lab = new NetLab(prefix, freeSubnet());
        Runtime.getRuntime().addShutdownHook(lab.hook);
        try {
            lab.build(agents);
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build(int agents) throws IOException {
        String net = "10.211." + subnet + ".";
        String host = prefix + "h";
        must("ip", "netns", "add", router);
        namespaces.add(router);
        must("ip", "link", "add", host, "type", "veth", "peer", "name", "uplink", "netns", router);
        must("ip", "addr", "add", net + "253/32", "dev", host);
        must("ip", "link", "set", host, "up");
        must("ip", "route", "add", net + "254/32", "dev", host);
        must("ip", "route", "add", net + "0/24", "via", net + "254", "dev", host);
        must("ip", "netns", "exec", router, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
        must("ip", "-n", router, "link", "set", "lo", "up");
        must("ip", "-n", router, "link", "set", "uplink", "up");
        must("ip", "-n", router, "addr", "add", net + "254/32", "dev", "uplink");
        must("ip", "-n", router, "route", "add", net + "253/32", "dev", "uplink");
        for (int i = 0; i < agents; i++) {
            String ns = namespace(i);
            String port = "a" + i;
            must("ip", "netns", "add", ns);
            namespaces.add(ns);
            must("ip", "link", "add", port, "netns", router, "type", "veth", "peer", "name", "eth0", "netns", ns);
            must("ip", "-n", router, "addr", "add", net + "254/32", "dev", port);
            must("ip", "-n", router, "link", "set", port, "up");
            must("ip", "-n", router, "route", "add", address(i) + "/32", "dev", port);
            must("ip", "-n", ns, "link", "set", "lo", "up");
            must("ip", "-n", ns, "link", "set", "eth0", "up");
            must("ip", "-n", ns, "addr", "add", address(i) + "/32", "dev", "eth0");
            must("ip", "-n", ns, "route", "add", net + "254/32", "dev", "eth0", "scope", "link");
            must("ip", "-n", ns, "route", "add", "default", "via", net + "254", "dev", "eth0");
        }
    }

    /** The address of agent {@code i}. */
    String address(int i) {
        return "10.211." + subnet + "." + (i + 1);
    }

    /** The namespace of agent {@code i}. */
    String namespace(int i) {
        return prefix + "n" + i;
    }

    /** The command prefix that runs a program inside agent {@code i}'s namespace (same PID: ip execs). */
    List<String> execPrefix(int i) {
        return List.of("ip", "netns", "exec", namespace(i));
    }

    /**
     * Cuts all traffic between every agent of {@code side} and every agent of {@code other}, both
     * directions, by blackhole rules in the router. Traffic with the test JVM is not cut.
     */
    synchronized void partition(Set<Integer> side, Set<Integer> other) throws IOException {
        for (int a : side) {
            for (int b : other) {
                if (a != b) {
                    block(address(a), address(b));
                    block(address(b), address(a));
                }
            }
        }
    }

    private void block(String from, String to) throws IOException {
        String rule = from + " " + to;
        if (rules.add(rule)) {
            must("ip", "-n", router, "rule", "add", "from", from, "to", to, "blackhole", "prio", "100");
        }
    }

    /** Removes every partition rule. */
    synchronized void heal() throws IOException {
        for (String rule : new ArrayList<>(rules)) {
            String[] ft = rule.split(" ");
            must("ip", "-n", router, "rule", "del", "from", ft[0], "to", ft[1], "blackhole", "prio", "100");
            rules.remove(rule);
        }
    }

    /** Whether any partition rule is in force. */
    synchronized boolean partitioned() {
        return !rules.isEmpty();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs removeAll again, which is harmless
        }
    }

    private void removeAll() {
        // processes keep a namespace alive after its name is gone, so end them first; only the
        // harness starts processes in this lab's namespaces
        for (String ns : namespaces) {
            killInside(ns);
        }
        // deleting a namespace removes its end of each veth pair, which removes the other end too
        for (String ns : namespaces) {
            quiet("ip", "netns", "del", ns);
        }
        quiet("ip", "link", "del", prefix + "h");
    }

    /**
     * Removes the namespaces and links of earlier runs whose JVM is no longer alive, killing any
     * process still inside such a namespace (only the harness runs processes there).
     */
    static void removeLeftovers() throws IOException {
        for (String line : run(List.of("ip", "netns", "list")).text.split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (isOrphan(ns)) {
                killInside(ns);
                quiet("ip", "netns", "del", ns);
            }
        }
        for (String line : run(List.of("ip", "-o", "link", "show")).text.split("\n")) {
            String[] parts = line.split(":\\s+");
            if (parts.length > 1) {
                String name = parts[1].split("@")[0];
                if (isOrphan(name)) {
                    quiet("ip", "link", "del", name);
                }
            }
        }
    }

    private static void killInside(String ns) {
        try {
            for (String pid : run(List.of("ip", "netns", "pids", ns)).text.split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                        p.destroyForcibly();
                        p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join();
                    });
                }
            }
        } catch (IOException e) {
            // best effort, as in quiet()
        }
    }

    private static boolean isOrphan(String name) {
        Matcher m = OURS.matcher(name);
        if (!m.find()) {
            return false;
        }
        long pid = Long.parseLong(m.group(1));
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
    }

    /** A third octet no address of this machine uses yet. */
    private static int freeSubnet() throws IOException {
        String addrs = run(List.of("ip", "-o", "addr", "show")).text;
        int start = (int) (ProcessHandle.current().pid() % 200);
        for (int k = 0; k < 200; k++) {
            int s = 20 + (start + k) % 200;
            if (!addrs.contains(" 10.211." + s + ".")) {
                return s;
            }
        }
        throw new IOException("no free 10.211.x.0/24 subnet");
    }

    private static void must(String... cmd) throws IOException {
        Out o = run(List.of(cmd));
        if (o.code != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + o.code + "): " + o.text.strip());
        }
    }

    private static void quiet(String... cmd) {
        try {
            run(List.of(cmd));
        } catch (IOException e) {
            // cleanup is best effort; the next run removes what is left
        }
    }

    private record Out(int code, String text) {
    }

    private static Out run(List<String> cmd) throws IOException {
        Path out = Files.createTempFile("netlab-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish in 30 s");
            }
            return new Out(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
