package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A plugin that wraps another plugin ({@code examples/storage-counting}, built outside the reactor
 * with its own Maven build, which runs the storage kit over it) in both runtimes: the agent's storage
 * is storage-counting, which finds the chosen storage plugin through {@code PluginContext.factory}
 * and counts its calls. Its directory also holds a copy of the storage-memory jar as a library:
 * a library, never a second plugin (no "two plugins are named" refusal). The KV store works through
 * the wrapper, {@code /v1/agent/self} shows it running, and the calls it logs include the wrapped
 * log store's appends. Each runtime's agent runs on its own address of 127.0.33.0/24.
 */
@Timeout(600)
class WrapperPluginIT {
    static Path pluginJar;

    @BeforeAll
    static void buildExample() throws Exception {
        Path example = OutsideBuild.example("storage-counting");
        // Online, as the other examples' builds: a fresh machine's repository holds only what the main
        // build fetched, and an author's build may need a plugin it did not.
        OutsideBuild.run(example, false, 300, "clean", "package");
        try (Stream<Path> s = Files.list(example.resolve("target"))) {
            pluginJar = s.filter(x -> x.getFileName().toString().matches("storage-counting-.*\\.jar")).findFirst()
                    .orElseThrow();
        }
    }

    @ParameterizedTest(name = "runtime {0} wrapping {1} on {2}")
    @CsvSource({"felix,storage-memory,127.0.33.10", "jpms,storage-rocksdb,127.0.33.11"})
    void wrapperCountsTheWrappedPluginsCalls(String runtime, String wrapped, String ip, @TempDir Path plugins,
                                             @TempDir Path data) throws Exception {
        PluginSelectionIT.linkPlugins(plugins, x -> true);
        Path unit = Files.createDirectory(plugins.resolve("storage-counting"));
        Files.copy(pluginJar, unit.resolve(pluginJar.getFileName()));
        try (Stream<Path> s = Files.list(AgentProcess.DIST.resolve("plugins/storage-memory"))) {
            for (Path lib : s.toList()) {
                Files.copy(lib, unit.resolve(lib.getFileName()));   // a library here, not a plugin
            }
        }
        int port = 8500;
        List<String> args = List.of("agent", "-dev", "-node", "counting", "-grpc-port", "-1", "-dns-port", "-1",
                "-bind", ip, "-client", ip,
                "-runtime", runtime, "-plugin-dir", plugins.toString(), "-plugin", "storage=storage-counting",
                "-plugin-config", "storage-counting.wrap=" + wrapped, "-data-dir", data.toString(),
                "-log-level", "info", "-http-port", Integer.toString(port));
        String output;
        try (AgentProcess a = AgentProcess.startOn(ip, port, args)) {
            a.awaitLeader(Duration.ofSeconds(60));
            assertEquals("true", a.send("PUT", "/v1/kv/wrapped/k", "counted").body().trim(), a.output());
            assertEquals("counted", a.get("/v1/kv/wrapped/k?raw").body(), a.output());
            String self = a.get("/v1/agent/self").body();
            assertTrue(self.contains("\"Name\":\"storage-counting\""), self);
            assertEquals(0, a.terminate(Duration.ofSeconds(30)), a.output());
            output = a.output();
        }
        // The wrapper logs the first call of each method of the wrapped stores (its counts at close
        // are logged too, but a JVM shutting down has already reset its log handlers by then).
        assertTrue(output.contains("storage-counting over " + wrapped + ": first call of log.append"), output);
        assertTrue(output.contains("storage-counting over " + wrapped + ": first call of stable."), output);
        if (wrapped.equals("storage-rocksdb")) {
            try (Stream<Path> s = Files.walk(data)) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().endsWith(".sst")
                        || p.getFileName().toString().startsWith("MANIFEST")), "rocksdb wrote nothing under " + data);
            }
        }
    }
}
