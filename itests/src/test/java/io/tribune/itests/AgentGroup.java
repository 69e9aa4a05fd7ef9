package io.tribune.itests;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The agent processes of one test, each on a loopback address of its own with Consul's default
 * ports, named after its datacenter, role and address ({@code dc1-server-1}, or {@code server-2}
 * without a datacenter), with a data directory under one temporary directory that this group owns.
 * {@link #close()} kills every agent still registered and deletes that directory; a test holds the
 * group in a field marked {@code @AutoClose}, so that this happens after each test.
 *
 * <p>What each test passes stays its own (addresses, datacenters, {@code -bootstrap-expect},
 * joins); the group only adds the flags every multi-agent test gives every agent: {@code -node},
 * {@code -bind} and {@code -client} on the address, {@code -data-dir}, {@code -retry-interval 1s},
 * {@code -log-level info}, and, when the group was made with a config, {@code -config-file}.
 *
 * <p>Threading: one test thread; none of the methods is safe for concurrent use. The static helpers
 * ({@link #body}, {@link #aliveMembers}, {@link #await}) keep no state.
 */
final class AgentGroup implements AutoCloseable {
    private final String configJson;
    private final Map<String, AgentProcess> agents = new LinkedHashMap<>();
    private Path data;

    /** A group whose agents get no config file. */
    AgentGroup() {
        this(null);
    }

    /**
     * A group whose every agent also gets {@code -config-file} naming a file with {@code configJson}
     * (written once per agent, as {@code <node>.json} beside the data directories); {@code null} for
     * none.
     */
    AgentGroup(String configJson) {
        this.configJson = configJson;
    }

    /**
     * The node name of the agent on {@code ip}: {@code <dc>-server-<last octet>} or
     * {@code <dc>-client-<last octet>}, without the {@code <dc>-} when {@code dc} is {@code null}.
     */
    static String nodeName(String ip, String dc, boolean server) {
        String role = (server ? "server-" : "client-") + ip.substring(ip.lastIndexOf('.') + 1);
        return dc == null ? role : dc + "-" + role;
    }

    /**
     * Starts {@code bin/tribune agent} on {@code ip} (HTTP API on {@code ip:8500}) and registers it
     * under its {@link #nodeName}. The arguments are the group's common flags, {@code -datacenter dc}
     * unless {@code dc} is {@code null}, {@code -server} when {@code server}, then {@code extra}. It
     * does not wait for the agent to answer.
     *
     * @throws IllegalStateException when an agent of that name is registered (call {@link #remove}
     *         first to restart one on its data directory); nothing is started then
     * @throws IOException when the data directory, the config file or the process cannot be made
     */
    AgentProcess start(String ip, String dc, boolean server, List<String> extra) throws IOException {
        String name = nodeName(ip, dc, server);
        if (agents.containsKey(name)) {
            throw new IllegalStateException("agent " + name + " is already in the group; remove it before restarting");
        }
        Path dir = root().resolve(name);
        Files.createDirectories(dir);
        List<String> args = new ArrayList<>(List.of("agent", "-node", name));
        if (dc != null) {
            args.addAll(List.of("-datacenter", dc));
        }
        args.addAll(List.of("-bind", ip, "-client", ip, "-data-dir", dir.toString(), "-retry-interval", "1s",
                "-log-level", "info"));
        if (configJson != null) {
            Path config = root().resolve(name + ".json");
            Files.writeString(config, configJson, StandardCharsets.UTF_8);
            args.addAll(List.of("-config-file", config.toString()));
        }
        if (server) {
            args.add("-server");
        }
        args.addAll(extra);
        AgentProcess p = AgentProcess.startOn(ip, 8500, args);
        agents.put(name, p);
        return p;
    }

    /**
     * The registered agent named {@code name}.
     *
     * @throws IllegalArgumentException when there is none
     */
    AgentProcess get(String name) {
        AgentProcess p = agents.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no agent " + name + " in the group; it has " + agents.keySet());
        }
        return p;
    }

    /**
     * Takes the agent named {@code name} out of the group without stopping it: the caller owns it
     * from then on (a test removes an agent it killed or terminates, to start it again).
     *
     * @throws IllegalArgumentException when there is none
     */
    AgentProcess remove(String name) {
        AgentProcess p = get(name);
        agents.remove(name);
        return p;
    }

    /** The registered agents by node name, in the order they were started; a read-only live view. */
    Map<String, AgentProcess> byName() {
        return Collections.unmodifiableMap(agents);
    }

    /**
     * Waits for each of {@code waited}, in the order given, to report a leader (see
     * {@link AgentProcess#awaitLeader}); each gets up to {@code limit} of its own.
     *
     * @throws AssertionError naming the agent's output when one does not
     */
    static void awaitLeaders(Duration limit, AgentProcess... waited) throws InterruptedException {
        for (AgentProcess a : waited) {
            a.awaitLeader(limit);
        }
    }

    /**
     * Polls {@code cond} until it holds, for at most {@code limit} (see {@link AgentProcess#waitFor}:
     * it stops early if {@code a} died).
     *
     * @throws AssertionError with {@code failure}'s text (asked only then) when it never held
     */
    static void await(AgentProcess a, Duration limit, BooleanSupplier cond, Supplier<String> failure)
            throws InterruptedException {
        if (!a.waitFor(limit, cond)) {
            throw new AssertionError(failure.get());
        }
    }

    /** The body of {@code GET path} on {@code a} when it answers 200, else "" (also when it cannot be reached). */
    static String body(AgentProcess a, String path) {
        try {
            HttpResponse<String> r = a.get(path);
            return r.statusCode() == 200 ? r.body() : "";
        } catch (Exception e) {
            return "";
        }
    }

    /**
     * How many members {@code a} sees alive (Status 1) in its LAN pool, or its WAN pool when
     * {@code wan}; -1 when it does not answer 200.
     */
    static long aliveMembers(AgentProcess a, boolean wan) {
        String b = body(a, wan ? "/v1/agent/members?wan=1" : "/v1/agent/members");
        if (b.isEmpty()) {
            return -1;
        }
        long n = 0;
        for (JsonElement e : JsonParser.parseString(b).getAsJsonArray()) {
            if (e.getAsJsonObject().get("Status").getAsInt() == 1) {
                n++;
            }
        }
        return n;
    }

    /**
     * Kills every registered agent (in start order, each waited for) and deletes the group's
     * directory. Safe to call again.
     *
     * @throws UncheckedIOException when the directory cannot be deleted (the agents are stopped then)
     */
    @Override
    public void close() {
        agents.values().forEach(AgentProcess::close);
        agents.clear();
        if (data == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(data)) {
            // Deepest first, so that each directory is empty when its turn comes.
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            data = null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + data, e);
        }
    }

    /** The group's directory, made on first use so that a group that starts nothing leaves nothing. */
    private Path root() throws IOException {
        if (data == null) {
            data = Files.createTempDirectory("tribune-it-agents-");
        }
        return data;
    }
}
