package io.tribune.launcher;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code tribune lock [-n N] PREFIX CHILD...}: runs CHILD (through {@code sh -c}) while holding a
 * lock, or with {@code -n} greater than 1 one of N slots of a semaphore, in the KV store, with the
 * key layout of Consul's lock and semaphore so that both tools contend for the same locks:
 * <ul>
 *   <li>lock: the key {@code PREFIX/.lock}, acquired by a session, flags {@value #LOCK_FLAGS_HEX};</li>
 *   <li>semaphore: each contender holds {@code PREFIX/<session>} with its session; {@code PREFIX/.lock}
 *       holds {@code {"Limit": N, "Holders": {"<session>": true, ...}}}, changed only by
 *       check-and-set, flags {@value #SEMAPHORE_FLAGS_HEX}; holders whose contender key lost its
 *       session are pruned by the next contender.</li>
 * </ul>
 * The session (TTL 15 s) is renewed every 5 s. When the child exits, the lock is released, the
 * session destroyed and the child's exit code returned. When the lock is lost (the key changed
 * hands, the session expired, or the agent failed {@code -monitor-retry} times in a row), the
 * child gets SIGTERM, then SIGKILL after 5 s, and the exit code is 1.
 *
 * <p>Threads: the command's own (acquire, then wait for the child), one renewing the session, one
 * watching the lock, one copying the child's output.
 */
@Command(addMethodSubcommands = false, name = "lock", sortOptions = false,
        description = "Runs CHILD while holding a lock (or, with -n N, one of N slots of a semaphore) at PREFIX.")
final class LockCommand extends ClientCommands.Base {
    static final long LOCK_FLAGS = 0x2ddccbc058a50c18L;
    static final long SEMAPHORE_FLAGS = 0xe0f69a2baa414de0L;
    static final String LOCK_FLAGS_HEX = "0x2ddccbc058a50c18";
    static final String SEMAPHORE_FLAGS_HEX = "0xe0f69a2baa414de0";
    static final String SESSION_TTL = "15s";
    static final Duration RENEW_EVERY = Duration.ofSeconds(5);
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /** Largest -n: bounds the holders document (each holder is a 36-character session ID). */
    static final int MAX_LIMIT = 1024;

    @Option(names = {"-n", "--n"}, paramLabel = "N", defaultValue = "1",
            description = "how many holders at once (default 1: a lock; more: a semaphore)")
    int limit;

    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "the session's name")
    String name;

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "DURATION", defaultValue = "0s",
            description = "give up acquiring after this long (e.g. 10s, 1m; 0: wait forever)")
    String timeout;

    @Option(names = {"-monitor-retry", "--monitor-retry"}, paramLabel = "N", defaultValue = "3",
            description = "failed checks of the lock in a row (agent unreachable, 5xx) before it counts as lost")
    int monitorRetry;

    @Option(names = {"-verbose", "--verbose"}, description = "print what the lock does")
    boolean verbose;

    @Parameters(index = "0", paramLabel = "PREFIX")
    String prefix;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "CHILD")
    List<String> child;

    private volatile boolean lost;
    private volatile boolean done;

    @Override
    int run() throws ApiClient.ApiException, IOException {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ParameterException(spec.commandLine(), "-n must be between 1 and " + MAX_LIMIT);
        }
        if (monitorRetry < 0) {
            throw new ParameterException(spec.commandLine(), "-monitor-retry must not be negative");
        }
        Duration wait;
        try {
            wait = parseDuration(timeout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "-timeout: " + e.getMessage());
        }
        String base = prefix.replaceAll("/+$", "");
        if (base.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "PREFIX must not be empty");
        }
        String script = String.join(" ", child);
        ApiClient api = api();
        JsonObject s = new JsonObject();
        s.addProperty("Name", name != null ? name : "Consul lock for '" + script + "' at '" + base + "'");
        s.addProperty("TTL", SESSION_TTL);
        // A semaphore contender's key must vanish with its session, so that others stop counting it.
        s.addProperty("Behavior", limit > 1 ? "delete" : "release");
        String session = JsonParser.parseString(new String(api.call("PUT", "/v1/session/create",
                s.toString().getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)).getAsJsonObject()
                .get("ID").getAsString();
        Thread renewer = daemon("lock-renew", () -> renew(api, session));
        renewer.start();
        try {
            long deadline = wait.isZero() ? Long.MAX_VALUE : System.nanoTime() + wait.toNanos();
            boolean held = limit == 1 ? acquireLock(api, base, session, deadline) : acquireSemaphore(api, base, session,
                    deadline);
            if (!held) {
                err().println("Lock acquisition failed: timeout after " + timeout);
                return 1;
            }
            verbose("Lock acquired at " + base + (limit > 1 ? " (semaphore of " + limit + ")" : ""));
            return runChild(api, base, session, script);
        } finally {
            done = true;
            renewer.interrupt();
            release(api, base, session);
        }
    }

    private int runChild(ApiClient api, String base, String session, String script) throws IOException {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        Thread hook = new Thread(() -> kill(p), "lock-child-kill");
        Runtime.getRuntime().addShutdownHook(hook);
        Thread pump = daemon("lock-child-output", () -> copy(p.getInputStream()));
        pump.start();
        Thread monitor = daemon("lock-monitor", () -> {
            if (!monitor(api, base, session)) {
                return;
            }
            lost = true;
            err().println("Lock lost, killing child");
            err().flush();
            kill(p);
        });
        monitor.start();
        try {
            int code = p.waitFor();
            pump.join(TimeUnit.SECONDS.toMillis(5));
            return lost ? 1 : code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(p);
            return 1;
        } finally {
            done = true;
            monitor.interrupt();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // Already shutting down: the hook kills the child.
            }
        }
    }

    /** Lock: wait until {@code base/.lock} has no holder, then acquire it; false at the deadline. */
    private boolean acquireLock(ApiClient api, String base, String session, long deadline) throws ApiClient.ApiException {
        String key = "/v1/kv/" + ApiClient.enc(base + "/.lock");
        long index = 0;
        while (System.nanoTime() < deadline) {
            ApiResponse r = api.send("GET", key + "?index=" + index + "&wait=" + waitFor(deadline), null,
                    Duration.ofSeconds(90));
            if (r.statusCode() / 100 == 5) {
                pause(Duration.ofSeconds(1));
                continue;
            }
            index = r.header("X-Consul-Index").map(Long::parseLong).orElse(0L);
            if (r.statusCode() == 200) {
                JsonObject e = JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonArray().get(0)
                        .getAsJsonObject();
                if (e.has("Flags") && flags(e) != LOCK_FLAGS) {
                    throw new ApiClient.ApiException(0, "Existing key does not match lock use");
                }
                if (e.has("Session") && !e.get("Session").isJsonNull() && !e.get("Session").getAsString().isEmpty()) {
                    continue; // held: the blocking query wakes when it changes
                }
            } else if (r.statusCode() != 404) {
                throw new ApiClient.ApiException(r.statusCode(), "Unexpected response code: " + r.statusCode());
            }
            String ok = new String(api.call("PUT", key + "?acquire=" + session + "&flags=" + Long.toUnsignedString(LOCK_FLAGS),
                    new byte[0]), StandardCharsets.UTF_8).trim();
            if (ok.equals("true")) {
                return true;
            }
            // Lost the race, or the lock-delay of a holder whose session ended: look again shortly.
            index = 0;
            pause(Duration.ofMillis(500));
        }
        return false;
    }

    /** Semaphore: hold a contender key, then add this session to the holders while fewer than the limit. */
    private boolean acquireSemaphore(ApiClient api, String base, String session, long deadline)
            throws ApiClient.ApiException {
        String contender = "/v1/kv/" + ApiClient.enc(base + "/" + session);
        String ok = new String(api.call("PUT", contender + "?acquire=" + session + "&flags="
                + Long.toUnsignedString(SEMAPHORE_FLAGS), new byte[0]), StandardCharsets.UTF_8).trim();
        if (!ok.equals("true")) {
            throw new ApiClient.ApiException(0, "Failed to make contender entry " + base + "/" + session);
        }
        long index = 0;
        while (System.nanoTime() < deadline) {
            ApiResponse r = api.send("GET", "/v1/kv/" + ApiClient.enc(base + "/") + "?recurse&index=" + index
                    + "&wait=" + waitFor(deadline), null, Duration.ofSeconds(90));
            if (r.statusCode() / 100 == 5) {
                pause(Duration.ofSeconds(1));
                continue;
            }
            index = r.header("X-Consul-Index").map(Long::parseLong).orElse(0L);
            List<JsonObject> pairs = new ArrayList<>();
            if (r.statusCode() == 200) {
                JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonArray()
                        .forEach(e -> pairs.add(e.getAsJsonObject()));
            }
            Semaphore sem = Semaphore.of(pairs, base, limit);
            if (sem.holders().size() >= sem.limit()) {
                continue; // full: wait for a change
            }
            Map<String, Boolean> holders = new TreeMap<>(sem.holders());
            holders.put(session, true);
            String cas = new String(api.call("PUT", "/v1/kv/" + ApiClient.enc(base + "/.lock") + "?cas=" + sem.modifyIndex()
                    + "&flags=" + Long.toUnsignedString(SEMAPHORE_FLAGS), Semaphore.json(limit, holders)),
                    StandardCharsets.UTF_8).trim();
            if (cas.equals("true")) {
                return true;
            }
            index = 0; // someone else changed it first: read again at once
        }
        return false;
    }

    /**
     * The semaphore's state read from the pairs under the prefix: the limit and the live holders
     * (those whose contender key still has a session), and the {@code .lock} key's modify index for
     * the check-and-set (0 when it does not exist).
     */
    record Semaphore(int limit, Map<String, Boolean> holders, long modifyIndex) {
        static Semaphore of(List<JsonObject> pairs, String base, int localLimit) throws ApiClient.ApiException {
            JsonObject lock = null;
            Map<String, Boolean> live = new TreeMap<>();
            for (JsonObject p : pairs) {
                String k = p.get("Key").getAsString();
                if (k.equals(base + "/.lock")) {
                    lock = p;
                } else if (k.startsWith(base + "/") && p.has("Session") && !p.get("Session").isJsonNull()
                        && p.get("Session").getAsString().equals(k.substring(base.length() + 1))) {
                    live.put(p.get("Session").getAsString(), true);
                }
            }
            if (lock == null) {
                return new Semaphore(localLimit, Map.of(), 0);
            }
            if (lock.has("Flags") && flags(lock) != SEMAPHORE_FLAGS) {
                throw new ApiClient.ApiException(0, "Existing key does not match semaphore use");
            }
            String value = lock.has("Value") && !lock.get("Value").isJsonNull()
                    ? new String(java.util.Base64.getDecoder().decode(lock.get("Value").getAsString()), StandardCharsets.UTF_8)
                    : "{}";
            JsonObject doc;
            try {
                doc = JsonParser.parseString(value).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new ApiClient.ApiException(0, "Failed to read semaphore lock " + base + "/.lock: " + e.getMessage());
            }
            int l = doc.has("Limit") ? doc.get("Limit").getAsInt() : localLimit;
            if (l != localLimit) {
                throw new ApiClient.ApiException(0, "Semaphore limit conflict (lock: " + l + ", local: " + localLimit + ")");
            }
            Map<String, Boolean> holders = new TreeMap<>();
            if (doc.has("Holders") && doc.get("Holders").isJsonObject()) {
                for (Map.Entry<String, JsonElement> h : doc.getAsJsonObject("Holders").entrySet()) {
                    if (live.containsKey(h.getKey())) {
                        holders.put(h.getKey(), true);
                    }
                }
            }
            return new Semaphore(l, holders, lock.get("ModifyIndex").getAsLong());
        }

        /** The {@code .lock} document: {@code {"Limit":N,"Holders":{...}}}, as Consul's semaphore writes it. */
        static byte[] json(int limit, Map<String, Boolean> holders) {
            JsonObject o = new JsonObject();
            o.addProperty("Limit", limit);
            JsonObject h = new JsonObject();
            holders.forEach(h::addProperty);
            o.add("Holders", h);
            return o.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** An entry's flags: an unsigned 64-bit number in the JSON (Consul's flags above 2^63 print as such). */
    static long flags(JsonObject entry) {
        return Long.parseUnsignedLong(entry.get("Flags").getAsString());
    }

    /** Watches the lock; returns true when it is lost (false when the command finished first). */
    private boolean monitor(ApiClient api, String base, String session) {
        String key = "/v1/kv/" + ApiClient.enc(base + "/.lock");
        long index = 0;
        int failures = 0;
        while (!done) {
            ApiResponse r;
            try {
                r = api.send("GET", key + "?index=" + index + "&wait=30s", null, Duration.ofSeconds(60));
            } catch (ApiClient.ApiException e) {
                r = null;
            }
            if (done) {
                return false;
            }
            if (r == null || r.statusCode() / 100 == 5) {
                if (++failures > monitorRetry) {
                    return true;
                }
                pause(Duration.ofSeconds(1));
                continue;
            }
            failures = 0;
            index = r.header("X-Consul-Index").map(Long::parseLong).orElse(0L);
            if (r.statusCode() != 200) {
                return true;
            }
            JsonObject e = JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonArray().get(0)
                    .getAsJsonObject();
            if (limit == 1) {
                if (!e.has("Session") || e.get("Session").isJsonNull() || !e.get("Session").getAsString().equals(session)) {
                    return true;
                }
            } else {
                String v = e.has("Value") && !e.get("Value").isJsonNull() ? new String(java.util.Base64.getDecoder()
                        .decode(e.get("Value").getAsString()), StandardCharsets.UTF_8) : "{}";
                JsonObject doc = JsonParser.parseString(v).getAsJsonObject();
                if (!doc.has("Holders") || !doc.getAsJsonObject("Holders").has(session)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void renew(ApiClient api, String session) {
        while (!done) {
            pause(RENEW_EVERY);
            if (done) {
                return;
            }
            try {
                ApiResponse r = api.send("PUT", "/v1/session/renew/" + session, null);
                if (r.statusCode() == 404) {
                    return; // the session is gone; the monitor sees the lock lost
                }
            } catch (ApiClient.ApiException e) {
                // The monitor counts failures; the TTL leaves room for a few missed renewals.
            }
        }
    }

    /** Releases the lock or the semaphore slot, then destroys the session (best effort: the TTL ends it anyway). */
    private void release(ApiClient api, String base, String session) {
        try {
            if (limit == 1) {
                api.send("PUT", "/v1/kv/" + ApiClient.enc(base + "/.lock") + "?release=" + session + "&flags="
                        + Long.toUnsignedString(LOCK_FLAGS), new byte[0]);
            } else {
                for (int attempt = 0; attempt < 10; attempt++) {
                    ApiResponse r = api.send("GET", "/v1/kv/" + ApiClient.enc(base + "/") + "?recurse", null);
                    List<JsonObject> pairs = new ArrayList<>();
                    if (r.statusCode() == 200) {
                        JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonArray()
                                .forEach(e -> pairs.add(e.getAsJsonObject()));
                    }
                    Optional<JsonObject> lock = pairs.stream().filter(p -> p.get("Key").getAsString().equals(base + "/.lock"))
                            .findFirst();
                    if (lock.isEmpty()) {
                        break;
                    }
                    Semaphore sem = Semaphore.of(pairs, base, limit);
                    Map<String, Boolean> holders = new TreeMap<>(sem.holders());
                    holders.remove(session);
                    String cas = new String(api.call("PUT", "/v1/kv/" + ApiClient.enc(base + "/.lock") + "?cas="
                            + sem.modifyIndex() + "&flags=" + Long.toUnsignedString(SEMAPHORE_FLAGS),
                            Semaphore.json(limit, holders)), StandardCharsets.UTF_8).trim();
                    if (cas.equals("true")) {
                        break;
                    }
                }
                api.send("DELETE", "/v1/kv/" + ApiClient.enc(base + "/" + session), null);
            }
            api.send("PUT", "/v1/session/destroy/" + session, null);
        } catch (ApiClient.ApiException e) {
            err().println("Error releasing the lock (its session expires in " + SESSION_TTL + "): " + e.getMessage());
        }
    }

    private void copy(InputStream in) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                out().print(new String(buf, 0, n, StandardCharsets.UTF_8));
                out().flush();
            }
        } catch (IOException ignored) {
            // The child closed its output.
        }
    }

    /** SIGTERM to the child and its descendants, SIGKILL after {@link #KILL_GRACE}. */
    static void kill(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        long end = System.nanoTime() + KILL_GRACE.toNanos();
        while (System.nanoTime() < end && all.stream().anyMatch(ProcessHandle::isAlive)) {
            pause(Duration.ofMillis(50));
        }
        all.forEach(ProcessHandle::destroyForcibly);
    }

    /** The {@code wait=} of a blocking query: at most 30 s, less near the deadline (at least 1 s). */
    private static String waitFor(long deadline) {
        if (deadline == Long.MAX_VALUE) {
            return "30s";
        }
        long s = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
        return Math.max(1, Math.min(30, s)) + "s";
    }

    /** Go-style durations as Consul's flags take them: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}; bare 0. */
    static Duration parseDuration(String s) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid duration '" + s + "' (e.g. 500ms, 10s, 2m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private void verbose(String msg) {
        if (verbose) {
            err().println(msg);
            err().flush();
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void pause(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
