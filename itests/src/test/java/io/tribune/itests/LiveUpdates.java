package io.tribune.itests;

import static io.tribune.itests.AgentGroup.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * What the live-update ITs share: a plugin jar repacked under another version, a writer that puts
 * keys through every server (retrying each failure until acknowledged) while {@code tribune plugins
 * update} replaces a plugin on one of them, the check that the agent runs the new bundle, and the
 * count of acknowledged writes some server lacks.
 */
final class LiveUpdates {
    static final Duration LONG = Duration.ofSeconds(90);

    private LiveUpdates() {
    }

    /** The shipped jar of {@code plugin} repacked with {@code Bundle-Version: version}, in {@code dir}. */
    static Path rebuiltJar(Path dir, String plugin, String version) throws IOException {
        Path shipped;
        try (Stream<Path> s = Files.list(AgentProcess.DIST.resolve("plugins/" + plugin))) {
            shipped = s.filter(p -> p.getFileName().toString().startsWith("tribune-" + plugin + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + plugin + " jar in the distribution"));
        }
        Path out = dir.resolve("tribune-" + plugin + "-" + version + ".jar");
        try (JarFile in = new JarFile(shipped.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            mf.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os, mf)) {
                for (JarEntry e : in.stream().toList()) {
                    if (e.getName().equals(JarFile.MANIFEST_NAME) || e.getName().equals("META-INF/")) {
                        continue;
                    }
                    jar.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(jar);
                    }
                    jar.closeEntry();
                }
            }
        }
        return out;
    }

    /** The plugin of {@code kind} that {@code /v1/agent/self} reports running. */
    static JsonObject running(AgentProcess a, String kind) {
        JsonArray ps = JsonParser.parseString(AgentGroup.body(a, "/v1/agent/self")).getAsJsonObject()
                .getAsJsonArray("Plugins");
        for (JsonElement e : ps) {
            if (e.getAsJsonObject().get("Kind").getAsString().equals(kind)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no running " + kind + " in /v1/agent/self: " + ps);
    }

    /** The keys under {@code lw/} in {@code a}'s own replica (a stale read). */
    static Set<String> keysOn(AgentProcess a) {
        String b = AgentGroup.body(a, "/v1/kv/lw/?keys&stale");
        Set<String> out = new TreeSet<>();
        if (!b.isEmpty()) {
            for (JsonElement e : JsonParser.parseString(b).getAsJsonArray()) {
                out.add(e.getAsString());
            }
        }
        return out;
    }

    /** What the writer acknowledged, and how many of its attempts failed and were made again. */
    record Writes(Set<String> acked, long retried) {
    }

    /**
     * Starts a writer putting {@code lw/N} through each of {@code servers} in turn; once 50 writes are
     * acknowledged runs {@code tribune plugins update PLUGIN JAR} against {@code targetIp} and checks it
     * names {@code version}; waits for 100 more acknowledged writes, then stops the writer.
     * {@code poll}, when not null, is called about every 100 ms on its own thread meanwhile.
     */
    static Writes updateUnderWrites(List<AgentProcess> servers, AgentProcess target, String targetIp,
            String plugin, Path jar, String version, Runnable poll) throws IOException, InterruptedException {
        Set<String> acked = new ConcurrentSkipListSet<>();
        AtomicLong retried = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean giveUp = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                String key = "lw/" + i;
                long r = putUntilAcknowledged(servers.get(i % servers.size()), key, "v" + i, giveUp);
                if (r < 0) {
                    return;
                }
                retried.addAndGet(r);
                acked.add(key);
            }
        }, "live-update-writer");
        Thread watcher = poll == null ? null : new Thread(() -> {
            while (!stop.get()) {
                poll.run();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "live-update-watcher");
        writer.start();
        if (watcher != null) {
            watcher.start();
        }
        try {
            await(target, LONG, () -> acked.size() >= 50, () -> "writes do not go on: " + acked.size());
            AgentProcess.Result up = AgentProcess.run(List.of("plugins", "update", "-http-addr", targetIp + ":8500",
                    plugin, jar.toString()));
            assertEquals(0, up.exitCode(), up.output() + "\nagent:\n" + target.output());
            assertTrue(up.output().contains(version), up.output());
            int atUpdate = acked.size();
            // Writes go on through every server, the updated one included, after the update.
            await(target, LONG, () -> acked.size() >= atUpdate + 100, () -> "writes stalled after the update at "
                    + acked.size() + ":\n" + target.output());
        } finally {
            stop.set(true);
            writer.join(60_000);
            giveUp.set(true);
            writer.join(10_000);
            if (watcher != null) {
                watcher.join(30_000);
            }
        }
        return new Writes(acked, retried.get());
    }

    /** One acknowledged PUT of {@code key}, retrying every failure; returns the number of retries. */
    private static long putUntilAcknowledged(AgentProcess a, String key, String value, AtomicBoolean give) {
        long retries = 0;
        while (!give.get()) {
            try {
                HttpResponse<String> r = a.send("PUT", "/v1/kv/" + key, value);
                if (r.statusCode() == 200 && r.body().trim().equals("true")) {
                    return retries;
                }
            } catch (IOException e) {
                // counted below: the write is retried
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return retries;
            }
            retries++;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return retries;
            }
        }
        return -1;
    }

    /**
     * {@code tribune plugins} on {@code targetIp} lists {@code plugin} at {@code version} from {@code jar},
     * and {@code /v1/agent/self} reports the {@code kind} plugin loaded from it after {@code before}.
     */
    static void assertRunsNewBundle(AgentProcess target, String targetIp, String plugin, String kind, Path jar,
            String version, JsonObject before) throws IOException, InterruptedException {
        AgentProcess.Result list = AgentProcess.run(List.of("plugins", "-http-addr", targetIp + ":8500"));
        assertEquals(0, list.exitCode(), list.output());
        assertTrue(list.output().lines().anyMatch(l -> l.startsWith(plugin + " ") && l.contains(version)
                && l.contains(jar.getFileName().toString())), list.output());
        JsonObject after = running(target, kind);
        assertTrue(after.get("Origin").getAsString().contains(version), after.toString());
        assertTrue(after.get("Since").getAsString().compareTo(before.get("Since").getAsString()) > 0,
                before + " then " + after);
    }

    /**
     * How many acknowledged writes the server missing the most of them lacks after waiting up to
     * {@link #LONG} for each; {@code where} gets one line per incomplete server.
     */
    static long lostWrites(List<AgentProcess> servers, List<String> ips, Set<String> acked, StringBuilder where)
            throws InterruptedException {
        long lost = 0;
        for (int i = 0; i < servers.size(); i++) {
            AgentProcess s = servers.get(i);
            if (!s.waitFor(LONG, () -> keysOn(s).containsAll(acked))) {
                Set<String> missing = new TreeSet<>(acked);
                missing.removeAll(keysOn(s));
                lost = Math.max(lost, missing.size());
                where.append(ips.get(i)).append(" misses ").append(missing).append(" (consistent read: ")
                        .append(missing.stream().map(k -> k + "=" + AgentGroup.body(s, "/v1/kv/" + k + "?raw"))
                                .toList()).append(")\n");
            }
        }
        return lost;
    }
}
