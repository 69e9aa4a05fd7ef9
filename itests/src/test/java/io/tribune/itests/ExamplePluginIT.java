package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example third-party plugin ({@code examples/storage-journal}) is built outside the reactor
 * with its own Maven build (which runs the storage conformance kit against it), dropped into a
 * plugins directory, listed by {@code tribune plugins}, and used as the agent's storage: a value
 * written before a restart is read back after it, from the plugin's files.
 */
@Timeout(600)
class ExamplePluginIT {
    static Path pluginJar;

    @BeforeAll
    static void buildExample() throws Exception {
        Path example = OutsideBuild.example("storage-journal");
        OutsideBuild.run(example, false, 300, "clean", "package");
        try (Stream<Path> s = Files.list(example.resolve("target"))) {
            pluginJar = s.filter(x -> x.getFileName().toString().matches("storage-journal-.*\\.jar")).findFirst()
                    .orElseThrow();
        }
    }

    @ParameterizedTest(name = "runtime {0}")
    @ValueSource(strings = {"felix", "jpms"})
    void droppedInPluginIsListedAndKeepsDataAcrossRestart(String runtime, @TempDir Path plugins,
                                                         @TempDir Path data) throws Exception {
        PluginSelectionIT.linkPlugins(plugins, x -> true);
        Files.copy(pluginJar, plugins.resolve(pluginJar.getFileName()));

        AgentProcess.Result list = AgentProcess.run(List.of("plugins", "-runtime", runtime, "-plugin-dir",
                plugins.toString()));
        assertEquals(0, list.exitCode(), list.output());
        assertTrue(list.output().lines().anyMatch(l -> l.startsWith("storage-journal ") && l.contains("1.0.0")
                && l.contains("storage") && l.contains("yes")), list.output());

        List<String> args = List.of("agent", "-dev", "-node", "journal", "-grpc-port", "-1", "-dns-port", "-1", "-runtime", runtime, "-plugin-dir",
                plugins.toString(), "-plugin", "storage=storage-journal", "-data-dir", data.toString());
        int port = AgentProcess.freePort();
        List<String> withPort = new ArrayList<>(args);
        withPort.addAll(List.of("-http-port", Integer.toString(port)));
        try (AgentProcess a = AgentProcess.start(port, withPort)) {
            a.awaitLeader(Duration.ofSeconds(60));
            assertEquals("true", a.send("PUT", "/v1/kv/journal/k", "kept").body().trim(), a.output());
            assertEquals(0, a.terminate(Duration.ofSeconds(30)), a.output());
        }
        assertTrue(existsUnder(data, "journal.bin"), "the plugin wrote no journal under " + data);

        int port2 = AgentProcess.freePort();
        List<String> again = new ArrayList<>(args);
        again.addAll(List.of("-http-port", Integer.toString(port2)));
        try (AgentProcess a = AgentProcess.start(port2, again)) {
            a.awaitLeader(Duration.ofSeconds(60));
            var r = a.get("/v1/kv/journal/k?raw");
            assertEquals(200, r.statusCode(), a.output());
            assertEquals("kept", r.body());
            assertEquals(0, a.terminate(Duration.ofSeconds(30)), a.output());
        }
    }

    @org.junit.jupiter.api.Test
    void twoStorageCandidatesWithoutAChoiceExitTwo(@TempDir Path plugins) throws Exception {
        // The dev default (storage-memory) is absent, and two storage plugins remain.
        PluginSelectionIT.linkPlugins(plugins, p -> !p.getFileName().toString().equals("storage-memory"));
        Files.copy(pluginJar, plugins.resolve(pluginJar.getFileName()));
        AgentProcess.Result r = AgentProcess.run(List.of("agent", "-dev", "-plugin-dir", plugins.toString()));
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("several storage plugins are installed and none is chosen"), r.output());
        assertTrue(r.output().contains("storage-journal") && r.output().contains("storage-rocksdb"), r.output());
    }

    private static boolean existsUnder(Path dir, String name) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().equals(name));
        }
    }
}
