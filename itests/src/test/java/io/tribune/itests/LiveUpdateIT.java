package io.tribune.itests;

import static io.tribune.itests.AgentGroup.aliveMembers;
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
import java.util.ArrayList;
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
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live update of a plugin (issue 18): three servers as real processes (Felix runtime, RocksDB,
 * gRPC transport, SWIM, Raft) on 127.0.33.2-4; a writer puts keys through the HTTP API of every
 * server in turn, retrying each failed write until it is acknowledged (the retries are counted);
 * meanwhile {@code tribune plugins update transport-grpc JAR} replaces the transport of one server
 * with a rebuilt jar (the shipped jar with another {@code Bundle-Version}). Then {@code tribune
 * plugins} on that server reports the new bundle, and every server holds every acknowledged key.
 * Prints {@code live-update plugin=transport-grpc writes=N lost=0 retried=R}.
 */
@Timeout(600)
class LiveUpdateIT {
    static final List<String> SERVERS = List.of("127.0.33.2", "127.0.33.3", "127.0.33.4");
    static final Duration LONG = Duration.ofSeconds(90);
    static final String NEW_VERSION = "0.1.0.live1";

    @AutoClose
    final AgentGroup agents = new AgentGroup();

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

    /** One acknowledged PUT of {@code key}, retrying every failure; returns the number of retries. */
    static long putUntilAcknowledged(AgentProcess a, String key, String value, AtomicBoolean give) {
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

    static JsonObject runningTransport(AgentProcess a) {
        JsonArray ps = JsonParser.parseString(AgentGroup.body(a, "/v1/agent/self")).getAsJsonObject()
                .getAsJsonArray("Plugins");
        for (JsonElement e : ps) {
            if (e.getAsJsonObject().get("Kind").getAsString().equals("transport")) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no running transport in /v1/agent/self: " + ps);
    }

    @Test
    void transportReplacedUnderWritesLosesNoAcknowledgedWrite(@TempDir Path tmp) throws Exception {
        Path jar = rebuiltJar(tmp, "transport-grpc", NEW_VERSION);
        List<AgentProcess> servers = new ArrayList<>();
        for (String ip : SERVERS) {
            servers.add(agents.start(ip, null, true, List.of("-bootstrap-expect", "3", "-retry-join", SERVERS.get(0),
                    "-runtime", "felix", "-grpc-port", "-1", "-dns-port", "-1")));
        }
        AgentGroup.awaitLeaders(LONG, servers.toArray(AgentProcess[]::new));
        for (AgentProcess s : servers) {
            await(s, LONG, () -> aliveMembers(s, false) == 3, () -> "3 members never alive:\n" + s.output());
        }
        AgentProcess target = servers.get(1);
        JsonObject before = runningTransport(target);
        assertEquals("transport-grpc", before.get("Name").getAsString(), before.toString());

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
        writer.start();
        try {
            await(target, LONG, () -> acked.size() >= 50, () -> "writes do not go on: " + acked.size());
            AgentProcess.Result up = AgentProcess.run(List.of("plugins", "update", "-http-addr",
                    SERVERS.get(1) + ":8500", "transport-grpc", jar.toString()));
            assertEquals(0, up.exitCode(), up.output() + "\nagent:\n" + target.output());
            assertTrue(up.output().contains(NEW_VERSION), up.output());
            int atUpdate = acked.size();
            // Writes go on through every server, the updated one included, after the update.
            await(target, LONG, () -> acked.size() >= atUpdate + 100, () -> "writes stalled after the update at "
                    + acked.size() + ":\n" + target.output());
        } finally {
            stop.set(true);
            writer.join(60_000);
            giveUp.set(true);
            writer.join(10_000);
        }

        AgentProcess.Result list = AgentProcess.run(List.of("plugins", "-http-addr", SERVERS.get(1) + ":8500"));
        assertEquals(0, list.exitCode(), list.output());
        assertTrue(list.output().lines().anyMatch(l -> l.startsWith("transport-grpc ") && l.contains(NEW_VERSION)
                && l.contains(jar.getFileName().toString())), list.output());
        JsonObject after = runningTransport(target);
        assertTrue(after.get("Origin").getAsString().contains(NEW_VERSION), after.toString());
        assertTrue(after.get("Since").getAsString().compareTo(before.get("Since").getAsString()) > 0,
                before + " then " + after);

        // Every acknowledged write is on every server (stale reads: each server's own replica).
        long lost = 0;
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < servers.size(); i++) {
            AgentProcess s = servers.get(i);
            boolean all = s.waitFor(LONG, () -> keysOn(s).containsAll(acked));
            if (!all) {
                Set<String> missing = new TreeSet<>(acked);
                missing.removeAll(keysOn(s));
                lost = Math.max(lost, missing.size());
                where.append(SERVERS.get(i)).append(" misses ").append(missing).append(" (consistent read: ")
                        .append(missing.stream().map(k -> k + "=" + AgentGroup.body(s, "/v1/kv/" + k + "?raw"))
                                .toList()).append(")\n");
            }
        }
        System.out.println("live-update plugin=transport-grpc writes=" + acked.size() + " lost=" + lost
                + " retried=" + retried.get());
        assertEquals(0, lost, () -> "acknowledged writes lost (updated server " + SERVERS.get(1) + "):\n" + where
                + "\nupdated server's output:\n" + target.output());
        for (AgentProcess s : servers) {
            await(s, LONG, () -> aliveMembers(s, false) == 3, () -> "a member did not stay alive:\n" + s.output());
        }
    }
}
