package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The release archive ({@code bundles/target/tribune-VERSION.tar.gz}) as an operator uses it: unpacked
 * with {@code tar} into a temporary folder, a dev agent started from it on a free port of 127.0.31.1
 * (with the durable RocksDB storage, so the archive's trimmed RocksDB jar is loaded), its answers
 * checked through HTTP and through the archive's own CLI, including a snapshot saved, listed with
 * {@code tar tzf}, checked with {@code sha256sum -c}, inspected and restored; then stopped by PID
 * (SIGTERM, exit 0) and the folder deleted.
 */
@Timeout(300)
class ReleaseArchiveIT {
    /** This test's loopback address (127.0.31.0/24 is the release tests' range). */
    static final String HOST = "127.0.31.1";
    static final Path BUNDLES = AgentProcess.DIST.getParent().getParent();

    @Test
    void unpackedArchiveRunsADevAgentAndItsCli() throws Exception {
        Path archive = archive();
        Path tmp = Files.createTempDirectory("tribune-release-it");
        Process agent = null;
        try {
            String listing = run(tmp, "tar", "tzf", archive.toString()).output();
            String top = archive.getFileName().toString().replace(".tar.gz", "");
            for (String f : List.of("bin/tribune", "README.txt", "conf/tribune.service", "conf/examples/server.json",
                    "conf/examples/client.json", "conf/examples/server.hcl", "conf/examples/client.hcl",
                    "cds/cli.classlist", "plugins/storage-rocksdb/", "plugins/raft/")) {
                assertTrue(listing.lines().anyMatch(l -> l.startsWith(top + "/" + f)), f + " not in\n" + listing);
            }
            assertFalse(listing.contains(".jsa"), "a class-data archive is tied to the build's path:\n" + listing);
            run(tmp, "tar", "xzf", archive.toString(), "-C", tmp.toString());
            Path home = tmp.resolve(top);
            assertTrue(Files.isExecutable(home.resolve("bin/tribune")));
            // The CLI's class-data archive for this place, written now (as README.txt tells an installer)
            // rather than in the background by the first command, which would still be writing into
            // the folder this test deletes.
            ProcessResult cds = run(tmp, home.resolve("bin/tribune").toString(), "--build-cli-cds");
            assertEquals(0, cds.code(), cds.output());
            try (Stream<Path> s = Files.list(home.resolve("cds"))) {
                assertEquals(1, s.filter(p -> p.getFileName().toString().matches("cli-[0-9]+-[0-9]+\\.jsa")).count());
            }
            String unit = Files.readString(home.resolve("conf/tribune.service"));
            for (String line : List.of("ExecStart=/opt/tribune/bin/tribune agent -config-dir /etc/tribune.d",
                    "ExecReload=/bin/kill -HUP $MAINPID", "KillSignal=SIGINT", "Restart=on-failure", "LimitNOFILE=")) {
                assertTrue(unit.contains(line), line + " not in the unit");
            }
            for (String example : List.of("server.json", "client.json")) {
                JsonObject o = JsonParser.parseString(Files.readString(home.resolve("conf/examples/" + example)))
                        .getAsJsonObject();
                assertTrue(o.has("node_name") && o.has("data_dir") && o.has("retry_join"), example);
            }

            int port = freePort();
            int grpcPort = freePort();
            Path data = tmp.resolve("data");
            agent = new ProcessBuilder(home.resolve("bin/tribune").toString(), "agent", "-dev", "-node", "release-it",
                    "-bind", HOST, "-client", HOST, "-http-port", Integer.toString(port), "-dns-port", "-1",
                    "-grpc-port", Integer.toString(grpcPort), "-plugin", "storage=storage-rocksdb", "-data-dir", data.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("agent.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String addr = HOST + ":" + port;
            awaitLeader(agent, addr, tmp.resolve("agent.log"));

            Path cli = home.resolve("bin/tribune");
            assertEquals(0, run(tmp, cli.toString(), "kv", "put", "-http-addr", addr, "release/key", "saved").code());
            assertEquals("saved", run(tmp, cli.toString(), "kv", "get", "-http-addr", addr, "release/key").output().trim());
            assertTrue(run(tmp, cli.toString(), "members", "-http-addr", addr).output().contains("release-it"));

            Path snap = tmp.resolve("backup.snap");
            String saved = run(tmp, cli.toString(), "snapshot", "save", "-http-addr", addr, snap.toString()).output();
            assertTrue(saved.startsWith("Saved and verified snapshot to index "), saved);
            long index = Long.parseLong(saved.trim().replaceAll(".* ", ""));
            // Consul's layout: three files, and sha256sum accepts the sums.
            assertEquals(List.of("meta.json", "state.bin", "SHA256SUMS"),
                    run(tmp, "tar", "tzf", snap.toString()).output().lines().collect(Collectors.toList()));
            Path x = Files.createDirectory(tmp.resolve("extracted"));
            run(tmp, "tar", "xzf", snap.toString(), "-C", x.toString());
            ProcessResult sums = run(x, "sha256sum", "-c", "SHA256SUMS");
            assertEquals("meta.json: OK\nstate.bin: OK", sums.output().trim());
            String inspect = run(tmp, cli.toString(), "snapshot", "inspect", snap.toString()).output();
            List<String> keys = inspect.lines().map(l -> l.split("\\s+")[0]).collect(Collectors.toList());
            assertEquals(List.of("ID", "Size", "Index", "Term", "Version"), keys, inspect);
            assertTrue(inspect.lines().anyMatch(l -> l.matches("Index\\s+" + index)), inspect);
            long stateSize = Files.size(x.resolve("state.bin"));
            assertTrue(inspect.lines().anyMatch(l -> l.matches("Size\\s+" + stateSize)), inspect);
            assertTrue(inspect.lines().anyMatch(l -> l.matches("Version\\s+1")), inspect);

            // A damaged copy is refused and changes nothing; the saved one restores.
            assertEquals(0, run(tmp, cli.toString(), "kv", "put", "-http-addr", addr, "release/key", "changed").code());
            // The damage is to the saved state itself, repacked with the original SHA256SUMS: a flipped
            // byte of the compressed file may fall where nothing the contents depend on lives (gzip's
            // header time, an unused code length), and such a file rightly restores the saved state.
            Path y = Files.createDirectory(tmp.resolve("damaged"));
            for (String f : List.of("meta.json", "state.bin", "SHA256SUMS")) {
                Files.copy(x.resolve(f), y.resolve(f));
            }
            byte[] state = Files.readAllBytes(y.resolve("state.bin"));
            state[state.length / 2] ^= 0x40;
            Files.write(y.resolve("state.bin"), state);
            Path badFile = tmp.resolve("bad.snap");
            run(tmp, "tar", "czf", badFile.toString(), "-C", y.toString(), "meta.json", "state.bin", "SHA256SUMS");
            ProcessResult refused = run(tmp, cli.toString(), "snapshot", "restore", "-http-addr", addr, badFile.toString());
            assertEquals(1, refused.code(), refused.output());
            assertTrue(refused.output().contains("invalid snapshot"), refused.output());
            assertEquals("changed", run(tmp, cli.toString(), "kv", "get", "-http-addr", addr, "release/key").output().trim());
            ProcessResult restored = run(tmp, cli.toString(), "snapshot", "restore", "-http-addr", addr, snap.toString());
            assertEquals(0, restored.code(), restored.output());
            assertEquals("saved", run(tmp, cli.toString(), "kv", "get", "-http-addr", addr, "release/key").output().trim());

            agent.destroy(); // SIGTERM to the PID this test started
            assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "agent did not stop on SIGTERM");
            assertEquals(0, agent.exitValue(), Files.readString(tmp.resolve("agent.log")));
        } finally {
            if (agent != null && agent.isAlive()) {
                agent.destroyForcibly();
                agent.waitFor(30, TimeUnit.SECONDS);
            }
            deleteTree(tmp);
        }
        assertFalse(Files.exists(tmp));
    }

    /** The one release archive the build wrote. */
    static Path archive() throws IOException {
        Path target = BUNDLES.resolve("target");
        try (Stream<Path> s = Files.list(target)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().matches("tribune-.*\\.tar\\.gz")).toList();
            assertEquals(1, found.size(), "release archives in " + target + ": " + found);
            return found.get(0);
        }
    }

    record ProcessResult(int code, String output) {
    }

    /** Runs a command in {@code dir} to completion (at most 60 s); fails on a timeout, and on a non-zero exit for tools other than the CLI. */
    static ProcessResult run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(Arrays.toString(cmd) + " did not finish in 60 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (!cmd[0].endsWith("bin/tribune") && p.exitValue() != 0) {
            throw new AssertionError(Arrays.toString(cmd) + " exited " + p.exitValue() + ":\n" + text);
        }
        return new ProcessResult(p.exitValue(), text);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    static void awaitLeader(Process agent, String addr, Path log) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < end && agent.isAlive()) {
            try {
                HttpResponse<String> r = AgentProcess.HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://" + addr + "/v1/status/leader")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().length() > 2) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader; alive=" + agent.isAlive() + "; log:\n" + Files.readString(log));
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }
}
