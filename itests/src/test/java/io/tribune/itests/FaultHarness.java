package io.tribune.itests;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.itests.FaultChecks.Outcome;
import io.tribune.itests.FaultChecks.WriteRecord;
import io.tribune.testkit.linearizability.Operation;
import io.tribune.testkit.linearizability.RegisterModel.Cas;
import io.tribune.testkit.linearizability.RegisterModel.CasResult;
import io.tribune.testkit.linearizability.RegisterModel.Input;
import io.tribune.testkit.linearizability.RegisterModel.Ok;
import io.tribune.testkit.linearizability.RegisterModel.Output;
import io.tribune.testkit.linearizability.RegisterModel.Read;
import io.tribune.testkit.linearizability.RegisterModel.ReadResult;
import io.tribune.testkit.linearizability.RegisterModel.Write;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;

/**
 * Faults on a cluster of real agent processes, and the check of what the cluster acknowledged.
 *
 * <p>Servers and client agents run as {@code bin/tribune} processes, each in its own network
 * namespace of a {@link NetLab}. While writers of unique keys, clients incrementing a counter by
 * read-then-CAS ({@code ?cas=<ModifyIndex>}) and readers ({@code ?consistent}) run against every
 * agent, a seeded schedule applies one fault per round: SIGKILL of the leader or a server (then a
 * restart on the same data dir), SIGKILL of two servers at once (quorum lost) and of every server
 * (what was acknowledged must come back from disk), SIGSTOP/SIGCONT of a
 * server, and three partitions (leader from the other servers; one server from every other agent; a
 * client agent from the servers). After the last round it heals everything, waits until every
 * server has applied a final write, and checks: every acknowledged write is on every server
 * (read with {@code ?stale}), no write refused with a definite error is there, the counter lies
 * between the acknowledged increments and those plus the indeterminate ones, and the history of
 * reads, writes and CAS is linearizable per key
 * ({@link io.tribune.testkit.linearizability.LinearizabilityChecker}); the pure part is {@link FaultChecks}.
 *
 * <p>A write is indeterminate when its answer never came (timeout, connection cut after sending)
 * or said the outcome is unknown; it is definite-failed only when the connection was refused, or
 * the answer was a 4xx/501, or a 500 naming no leader/no servers without saying it may have been
 * applied. A read that failed is left out of the history (it changed nothing).
 *
 * <p>Threading: one instance per run; {@link #run()} is called once, from one thread; workers are
 * its own threads. Only processes it started are signalled or killed, by PID.
 */
final class FaultHarness implements AutoCloseable {

    /** What to run. */
    record Config(int servers, int clients, int rounds, long seed, Path dataRoot) {
        Config {
            if (servers != 3 && servers != 5) {
                throw new IllegalArgumentException("servers must be 3 or 5: " + servers);
            }
            if (clients < 1 || clients > 5 || rounds < 1 || rounds > 10_000) {
                throw new IllegalArgumentException("clients 1..5, rounds 1..10000: " + clients + ", " + rounds);
            }
        }
    }

    /** The kinds of fault, one per round. */
    enum Fault {
        KILL_LEADER, KILL_TWO, KILL_ALL, PAUSE, PARTITION_LEADER, PARTITION_ONE, PARTITION_CLIENT
    }

    /** What a run found. */
    record Report(int rounds, long acked, long lost, long duplicated, long indeterminate, long staleReads,
                  long phantoms, long unchecked, Map<Fault, Integer> faults, String figures, List<String> details) {
        /** The one summary line. */
        String line() {
            return "faults rounds=" + rounds + " acked=" + acked + " lost=" + lost + " duplicated=" + duplicated
                    + " indeterminate=" + indeterminate + " stale_reads=" + staleReads
                    + (phantoms > 0 ? " phantoms=" + phantoms : "") + (unchecked > 0 ? " unchecked=" + unchecked : "");
        }

        boolean clean() {
            return lost == 0 && duplicated == 0 && staleReads == 0 && phantoms == 0 && unchecked == 0;
        }
    }

    private static final String PREFIX = "faults/";
    private static final String COUNTER = PREFIX + "counter";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration RECOVERY = Duration.ofSeconds(120);
    private static final int RECENT = 32;

    private final Config config;
    private final NetLab lab;
    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ConcurrentLinkedQueue<Operation<Input<String>, Output<String>>> history = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<WriteRecord> writes = new ConcurrentLinkedQueue<>();
    private final AtomicReferenceArray<String> recentKeys = new AtomicReferenceArray<>(RECENT);
    private final AtomicLong recentNext = new AtomicLong();
    private final AtomicLong ackedIncrements = new AtomicLong();
    private final AtomicLong unknownIncrements = new AtomicLong();
    private final AtomicLong failedReads = new AtomicLong();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<Path> logs = Collections.synchronizedList(new ArrayList<>());
    private final List<RuntimeException> workerFailures = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stop;
    private final long t0 = System.nanoTime();

    /** One agent: its place in the lab and its current process. */
    private final class Node {
        final int index;
        final boolean server;
        final String name;
        final String ip;
        final Path dir;
        volatile AgentProcess process;
        volatile boolean paused;

        Node(int index, boolean server) {
            this.index = index;
            this.server = server;
            this.name = (server ? "server-" : "client-") + index;
            this.ip = lab.address(index);
            this.dir = config.dataRoot().resolve(name);
        }

        void start() throws IOException {
            Files.createDirectories(dir);
            List<String> args = new ArrayList<>(List.of("agent", "-node", name, "-bind", ip, "-client", ip,
                    "-data-dir", dir.toString(), "-retry-interval", "1s", "-log-level", "info"));
            for (int s = 0; s < config.servers(); s++) {
                if (s != index) {
                    args.addAll(List.of("-retry-join", lab.address(s)));
                }
            }
            if (server) {
                args.addAll(List.of("-server", "-bootstrap-expect", Integer.toString(config.servers())));
            }
            process = AgentProcess.startWrapped(lab.execPrefix(index), ip, 8500, args);
            logs.add(process.log);
            paused = false;
        }

        boolean alive() {
            AgentProcess p = process;
            return p != null && p.process.isAlive();
        }
    }

    FaultHarness(Config config) throws IOException {
        this.config = config;
        this.lab = NetLab.create(config.servers() + config.clients());
        for (int i = 0; i < config.servers() + config.clients(); i++) {
            nodes.add(new Node(i, i < config.servers()));
        }
    }

    /** Starts the cluster, runs the rounds and the workload, heals, and checks. */
    Report run() throws Exception {
        for (Node n : nodes) {
            n.start();
        }
        awaitHealthy("start");
        note("cluster up: " + config.servers() + " servers, " + config.clients() + " clients, seed " + config.seed());
        Node first = servers().get(0);
        String init = null;
        long until = System.nanoTime() + RECOVERY.toNanos();
        while (init == null && System.nanoTime() < until) {
            long call = now();
            Answer a = request(first, "PUT", "/v1/kv/" + COUNTER + "?cas=0", "0");
            if (a.status == 200) {
                history.add(Operation.completed(-1, new Cas<>(COUNTER, null, "0"), new CasResult<>(a.body.trim().equals("true")), call, now()));
                init = a.body.trim();
            } else {
                Thread.sleep(200);
            }
        }
        if (!"true".equals(init)) {
            throw new AssertionError("could not create the counter: " + init);
        }

        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            workers.add(worker("writer-" + w, w, this::writer));
        }
        for (int c = 0; c < 2; c++) {
            workers.add(worker("counter-" + c, 10 + c, this::incrementer));
        }
        for (int r = 0; r < 2; r++) {
            workers.add(worker("reader-" + r, 20 + r, this::reader));
        }
        workers.forEach(Thread::start);

        Random rnd = new Random(config.seed());
        Map<Fault, Integer> applied = new EnumMap<>(Fault.class);
        List<Fault> cycle = new ArrayList<>();
        try {
            Thread.sleep(2000);
            for (int round = 1; round <= config.rounds(); round++) {
                if (cycle.isEmpty()) {
                    // every kind once per cycle of rounds, in a seeded order
                    cycle.addAll(List.of(Fault.values()));
                    Collections.shuffle(cycle, rnd);
                }
                Fault f = cycle.remove(0);
                applied.merge(f, 1, Integer::sum);
                round(round, f, rnd);
            }
        } finally {
            stop = true;
            for (Thread t : workers) {
                t.join(REQUEST_TIMEOUT.toMillis() * 3);
            }
        }
        for (Thread t : workers) {
            // a worker still running could have its operation applied after the final reads and
            // look like a duplicate; every request has a timeout, so this is a harness bug
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not stop within " + REQUEST_TIMEOUT.multipliedBy(3));
            }
        }
        if (!workerFailures.isEmpty()) {
            throw new AssertionError("a worker failed: " + workerFailures.get(0), workerFailures.get(0));
        }
        healAll();
        awaitHealthy("end");
        return check(applied);
    }

    private Thread worker(String name, int client, WorkerBody body) {
        Thread t = new Thread(() -> {
            Random rnd = new Random(config.seed() * 31 + client);
            try {
                body.run(client, rnd);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // a worker that died would quietly lighten the load; the run fails instead
                note(name + " failed: " + e);
                workerFailures.add(e);
            }
        }, "faults-" + name);
        t.setDaemon(true);
        return t;
    }

    @FunctionalInterface
    private interface WorkerBody {
        void run(int client, Random rnd) throws InterruptedException;
    }

    // ---- the workload ----

    private void writer(int client, Random rnd) throws InterruptedException {
        for (long seq = 0; !stop; seq++) {
            String key = PREFIX + "k/w" + client + "-" + seq;
            String value = "v" + seq + "-" + client;
            recentKeys.set((int) (recentNext.getAndIncrement() % RECENT), key);
            Node target = nodes.get(rnd.nextInt(nodes.size()));
            long call = now();
            Answer a = request(target, "PUT", "/v1/kv/" + key, value);
            Outcome o = writeOutcome(a, false);
            writes.add(new WriteRecord(key, value, o));
            if (o == Outcome.ACKED) {
                history.add(Operation.completed(client, new Write<>(key, value), new Ok<>(), call, now()));
            } else if (o == Outcome.UNKNOWN) {
                history.add(Operation.indeterminate(client, new Write<>(key, value), call));
            } else if (a.status != 200) {
                Thread.sleep(100);
            }
        }
    }

    private void incrementer(int client, Random rnd) throws InterruptedException {
        while (!stop) {
            Node target = nodes.get(rnd.nextInt(nodes.size()));
            long call = now();
            Answer a = request(target, "GET", "/v1/kv/" + COUNTER + "?consistent", null);
            if (a.status != 200) {
                failedReads.incrementAndGet();
                Thread.sleep(100);
                continue;
            }
            long ret = now();
            JsonObject entry = JsonParser.parseString(a.body).getAsJsonArray().get(0).getAsJsonObject();
            String value = decode(entry.get("Value"));
            long index = entry.get("ModifyIndex").getAsLong();
            history.add(Operation.completed(client, new Read<>(COUNTER), new ReadResult<>(value), call, ret));
            String next = Long.toString(Long.parseLong(value) + 1);
            // The counter only grows, so each value is written once and "ModifyIndex unchanged"
            // is "value unchanged": a CAS on the index is a CAS on the value read (no ABA).
            Cas<String> cas = new Cas<>(COUNTER, value, next);
            call = now();
            Answer w = request(target, "PUT", "/v1/kv/" + COUNTER + "?cas=" + index, next);
            Outcome o = writeOutcome(w, true);
            if (o == Outcome.ACKED) {
                boolean swapped = w.body.trim().equals("true");
                if (swapped) {
                    ackedIncrements.incrementAndGet();
                }
                history.add(Operation.completed(client, cas, new CasResult<>(swapped), call, now()));
            } else if (o == Outcome.UNKNOWN) {
                unknownIncrements.incrementAndGet();
                history.add(Operation.indeterminate(client, cas, call));
            } else {
                Thread.sleep(100);
            }
        }
    }

    private void reader(int client, Random rnd) throws InterruptedException {
        while (!stop) {
            String key = rnd.nextInt(5) == 0 ? COUNTER : recentKeys.get(rnd.nextInt(RECENT));
            if (key == null) {
                Thread.sleep(20);
                continue;
            }
            Node target = nodes.get(rnd.nextInt(nodes.size()));
            long call = now();
            Answer a = request(target, "GET", "/v1/kv/" + key + "?consistent", null);
            long ret = now();
            if (a.status == 200) {
                String value = decode(JsonParser.parseString(a.body).getAsJsonArray().get(0).getAsJsonObject().get("Value"));
                history.add(Operation.completed(client, new Read<>(key), new ReadResult<>(value), call, ret));
                } else if (a.status == 404) {
                history.add(Operation.completed(client, new Read<>(key), new ReadResult<>(null), call, ret));
                } else {
                failedReads.incrementAndGet();
                Thread.sleep(100);
            }
        }
    }

    private static Outcome writeOutcome(Answer a, boolean cas) {
        return FaultChecks.writeOutcome(a.status(), a.body(), cas);
    }

    /** An HTTP answer, or why there was none. */
    private record Answer(int status, String body) {
    }

    private Answer request(Node n, String method, String path, String body) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + n.ip + ":8500" + path))
                .timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Answer(FaultChecks.NOT_SENT, String.valueOf(e));
        } catch (IOException e) {
            return new Answer(FaultChecks.LOST, String.valueOf(e));
        }
    }

    private static String decode(JsonElement value) {
        if (value == null || value.isJsonNull()) {
            return "";
        }
        return new String(Base64.getDecoder().decode(value.getAsString()), StandardCharsets.UTF_8);
    }

    // ---- the schedule ----

    private void round(int round, Fault f, Random rnd) throws Exception {
        long hold = 3000 + rnd.nextInt(3000);
        Node leader = leader();
        List<Node> servers = servers();
        List<Node> clients = nodes.subList(config.servers(), nodes.size());
        switch (f) {
            case KILL_LEADER -> {
                Node victim = leader != null ? leader : servers.get(rnd.nextInt(servers.size()));
                note("round " + round + ": SIGKILL " + victim.name + (victim == leader ? " (leader)" : ""));
                victim.process.kill();
            }
            case KILL_TWO -> {
                List<Node> pick = new ArrayList<>(servers);
                Collections.shuffle(pick, rnd);
                note("round " + round + ": SIGKILL " + pick.get(0).name + " and " + pick.get(1).name + " at once");
                pick.get(0).process.process.destroyForcibly();
                pick.get(1).process.kill();
                pick.get(0).process.kill();
            }
            case KILL_ALL -> {
                note("round " + round + ": SIGKILL every server at once");
                for (Node n : servers) {
                    n.process.process.destroyForcibly();
                }
                for (Node n : servers) {
                    n.process.kill();
                }
            }
            case PAUSE -> {
                Node victim = rnd.nextBoolean() && leader != null ? leader : servers.get(rnd.nextInt(servers.size()));
                note("round " + round + ": SIGSTOP " + victim.name + (victim == leader ? " (leader)" : ""));
                victim.paused = true;
                victim.process.signal("STOP");
            }
            case PARTITION_LEADER -> {
                Node victim = leader != null ? leader : servers.get(rnd.nextInt(servers.size()));
                note("round " + round + ": partition " + victim.name + (victim == leader ? " (leader)" : "")
                        + " from the other servers");
                lab.partition(Set.of(victim.index), indexes(servers));
            }
            case PARTITION_ONE -> {
                Node victim = servers.get(rnd.nextInt(servers.size()));
                note("round " + round + ": partition " + victim.name + (victim == leader ? " (leader)" : "")
                        + " from every other agent");
                lab.partition(Set.of(victim.index), indexes(nodes));
            }
            case PARTITION_CLIENT -> {
                Node victim = clients.get(rnd.nextInt(clients.size()));
                note("round " + round + ": partition " + victim.name + " from the servers");
                lab.partition(Set.of(victim.index), indexes(servers));
            }
        }
        Thread.sleep(hold);
        healAll();
        awaitHealthy("round " + round + " (" + f + ")");
        Thread.sleep(1000 + rnd.nextInt(1000));
    }

    private static Set<Integer> indexes(List<Node> ns) {
        Set<Integer> s = new LinkedHashSet<>();
        ns.forEach(n -> s.add(n.index));
        return s;
    }

    private void healAll() throws IOException, InterruptedException {
        lab.heal();
        for (Node n : nodes) {
            if (n.paused) {
                n.process.signal("CONT");
                n.paused = false;
            }
            if (!n.alive()) {
                note("restart " + n.name + " on its data dir");
                n.start();
            }
        }
    }

    private List<Node> servers() {
        return nodes.subList(0, config.servers());
    }

    /** The leader as the first server that names one sees it, or null. */
    private Node leader() throws InterruptedException {
        for (Node s : servers()) {
            String l = leaderOf(s);
            if (!l.isEmpty()) {
                for (Node n : servers()) {
                    if (l.startsWith(n.ip + ":")) {
                        return n;
                    }
                }
            }
        }
        return null;
    }

    private String leaderOf(Node n) throws InterruptedException {
        Answer a = request(n, "GET", "/v1/status/leader", null);
        if (a.status != 200) {
            return "";
        }
        try {
            JsonElement e = JsonParser.parseString(a.body);
            return e.isJsonPrimitive() ? e.getAsString() : "";
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** Waits until every agent runs, every server names the same leader and every client names one. */
    private void awaitHealthy(String when) throws InterruptedException {
        boolean ok = waitUntil(RECOVERY, () -> {
            try {
                String l = null;
                for (Node n : nodes) {
                    if (!n.alive()) {
                        return false;
                    }
                    String seen = leaderOf(n);
                    if (seen.isEmpty() || (n.server && l != null && !l.equals(seen))) {
                        return false;
                    }
                    if (n.server) {
                        l = seen;
                    }
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        if (!ok) {
            throw new AssertionError("the cluster did not recover within " + RECOVERY + " after " + when + "\n"
                    + String.join("\n", log) + "\n" + logTails());
        }
    }

    private static boolean waitUntil(Duration limit, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return cond.getAsBoolean();
    }

    // ---- the checks ----

    private Report check(Map<Fault, Integer> faults) throws Exception {
        // a last write through each server in turn until one is acknowledged, then wait until every
        // server has applied it: after that, each server's stale read shows everything committed before
        String barrier = "barrier-" + config.seed();
        boolean written = waitUntil(RECOVERY, () -> {
            try {
                Node l = leader();
                return l != null && writeOutcome(request(l, "PUT", "/v1/kv/" + PREFIX + "barrier", barrier), false)
                        == Outcome.ACKED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        if (!written) {
            throw new AssertionError("the final write was never acknowledged\n" + logTails());
        }
        List<Map<String, String>> stores = new ArrayList<>();
        for (Node s : servers()) {
            boolean applied = waitUntil(RECOVERY, () -> {
                try {
                    Answer a = request(s, "GET", "/v1/kv/" + PREFIX + "barrier?stale&raw", null);
                    return a.status == 200 && a.body.equals(barrier);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            if (!applied) {
                throw new AssertionError(s.name + " never applied the final write\n" + logTails());
            }
            Answer all = request(s, "GET", "/v1/kv/" + PREFIX + "?recurse&stale", null);
            if (all.status != 200) {
                throw new AssertionError(s.name + " could not list " + PREFIX + ": " + all.status + " " + all.body);
            }
            Map<String, String> kv = new TreeMap<>();
            for (JsonElement e : JsonParser.parseString(all.body).getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                kv.put(o.get("Key").getAsString(), decode(o.get("Value")));
            }
            stores.add(kv);
        }

        FaultChecks.Verdict v = FaultChecks.check(List.copyOf(writes), servers().stream().map(n -> n.name).toList(),
                stores, COUNTER, ackedIncrements.get(), unknownIncrements.get(), new ArrayList<>(history));
        String figures = v.figures() + " failed_reads=" + failedReads.get() + " faults=" + faults;
        return new Report(config.rounds(), v.acked(), v.lost(), v.duplicated(), v.indeterminate(), v.staleReads(),
                v.phantoms(), v.unchecked(), faults, figures, v.details());
    }

    private void note(String s) {
        String line = String.format("[%7.1fs] %s", (System.nanoTime() - t0) / 1e9, s);
        log.add(line);
        System.out.println(line);
    }

    /** The schedule as it ran, one line per event. */
    List<String> events() {
        return List.copyOf(log);
    }

    /** The last lines of every agent's log, for a failure message. */
    String logTails() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            AgentProcess p = n.process;
            if (p != null) {
                String out = p.output();
                sb.append("---- ").append(n.name).append(" (").append(p.log).append(")\n")
                        .append(out, Math.max(0, out.length() - 3000), out.length()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Deletes the agents' log files (a clean run's; a failing run keeps them for reading). */
    void deleteLogs() {
        synchronized (logs) {
            for (Path p : logs) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    private long now() {
        return System.nanoTime() - t0;
    }

    @Override
    public void close() {
        stop = true;
        for (Node n : nodes) {
            AgentProcess p = n.process;
            if (p != null) {
                p.close(); // SIGKILL works on a stopped process too
            }
        }
        lab.close();
    }
}
