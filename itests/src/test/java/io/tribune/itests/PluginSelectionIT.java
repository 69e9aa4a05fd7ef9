package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tribune plugins} and the errors of plugin selection, against the built distribution. */
@Timeout(300)
class PluginSelectionIT {
    static final List<String> SHIPPED = List.of("consensus-single", "gossip-swim", "membership-static", "raft",
            "storage-memory", "storage-rocksdb", "transport-grpc", "transport-inproc");

    @ParameterizedTest(name = "runtime {0}")
    @ValueSource(strings = {"felix", "jpms"})
    void pluginsCommandListsEveryShippedPlugin(String runtime) throws Exception {
        AgentProcess.Result r = AgentProcess.run(List.of("plugins", "-runtime", runtime));
        assertEquals(0, r.exitCode(), r.output());
        for (String name : SHIPPED) {
            assertTrue(r.output().lines().anyMatch(l -> l.startsWith(name + " ")), name + " missing:\n" + r.output());
        }
        assertTrue(r.output().contains("runtime: " + runtime), r.output());
    }

    @Test
    void unknownPluginNameExitsTwoListingWhatIsAvailable() throws Exception {
        AgentProcess.Result r = AgentProcess.run(List.of("agent", "-dev", "-http-port", "-1",
                "-plugin", "storage=storage-nope"));
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("unknown storage plugin 'storage-nope'"), r.output());
        assertTrue(r.output().contains("storage-memory") && r.output().contains("storage-rocksdb"), r.output());
    }

    @Test
    void unknownPluginKindExitsTwo() throws Exception {
        AgentProcess.Result r = AgentProcess.run(List.of("agent", "-dev", "-plugin", "database=x"));
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("unknown plugin kind 'database'"), r.output());
    }

    @Test
    void missingRequiredPluginExitsTwo(@TempDir Path dir) throws Exception {
        linkPlugins(dir, p -> !p.getFileName().toString().startsWith("storage-"));
        AgentProcess.Result r = AgentProcess.run(List.of("agent", "-dev", "-plugin-dir", dir.toString()));
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("no storage plugin is installed"), r.output());
    }

    @Test
    void badFlagExitsTwo() throws Exception {
        AgentProcess.Result r = AgentProcess.run(List.of("agent", "-dev", "-http-port", "eighty"));
        assertEquals(2, r.exitCode(), r.output());
    }

    static void linkPlugins(Path target, java.util.function.Predicate<Path> keep) throws IOException {
        try (Stream<Path> s = Files.list(AgentProcess.DIST.resolve("plugins"))) {
            for (Path p : s.filter(keep).toList()) {
                Files.createSymbolicLink(target.resolve(p.getFileName()), p);
            }
        }
    }
}
