package io.tribune.agent.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.config.ConfigException;
import io.tribune.api.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogFileTest {
    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void fileNameGetsCreationStampAndDefaultExtension() throws IOException {
        RotatingLogFile f = new RotatingLogFile(settings(dir.resolve("agent"), 0, Duration.ofHours(24), 0), now::get);
        f.write("one");
        f.close();
        List<Path> fs = files();
        assertEquals(1, fs.size());
        assertEquals("agent-" + now.get() * 1_000_000L + ".log", fs.get(0).getFileName().toString());
        assertEquals("one\n", Files.readString(fs.get(0)));
    }

    @Test
    void directoryGetsTribunePrefix() throws IOException {
        RotatingLogFile f = new RotatingLogFile(settings(dir, 0, Duration.ofHours(24), 0), now::get);
        f.write("x");
        f.close();
        assertTrue(files().get(0).getFileName().toString().matches("tribune-\\d+\\.log"));
    }

    @Test
    void trailingSlashNamesADirectoryThatIsCreated() throws IOException {
        Path logs = dir.resolve("logs");
        RotatingLogFile f = new RotatingLogFile(new LogSettings(Optional.of(logs + "/"), 0, Duration.ofHours(24), 0,
                false), now::get);
        f.write("x");
        f.close();
        try (Stream<Path> s = Files.list(logs)) {
            assertTrue(s.findFirst().orElseThrow().getFileName().toString().matches("tribune-\\d+\\.log"));
        }
    }

    @Test
    void rotatesWhenTheNextLineWouldPassTheByteLimit() throws IOException {
        RotatingLogFile f = new RotatingLogFile(settings(dir.resolve("t.log"), 10, Duration.ofHours(24), 0), now::get);
        f.write("12345");   // 6 bytes
        f.write("123");     // 10 bytes: fits exactly
        f.write("1");       // would be 12: new file
        f.close();
        List<Path> fs = files();
        assertEquals(2, fs.size());
        assertEquals("12345\n123\n", Files.readString(fs.get(0)));
        assertEquals("1\n", Files.readString(fs.get(1)));
    }

    @Test
    void oversizedLineStillWrittenAloneInItsFile() throws IOException {
        RotatingLogFile f = new RotatingLogFile(settings(dir.resolve("t.log"), 4, Duration.ofHours(24), 0), now::get);
        f.write("longer than four");
        f.write("x");
        f.close();
        assertEquals(2, files().size());
    }

    @Test
    void rotatesAfterTheDurationOnTheVirtualClock() throws IOException {
        RotatingLogFile f = new RotatingLogFile(settings(dir.resolve("t.log"), 0, Duration.ofMinutes(1), 0), now::get);
        f.write("a");
        Path first = f.current().orElseThrow();
        now.addAndGet(59_999);
        f.write("b");
        assertEquals(first, f.current().orElseThrow());
        now.addAndGet(1);
        f.write("c");
        assertNotEquals(first, f.current().orElseThrow());
        f.close();
        assertEquals("a\nb\n", Files.readString(first));
    }

    @Test
    void keepsOnlyTheNewestOlderFiles() throws IOException {
        RotatingLogFile f = new RotatingLogFile(settings(dir.resolve("t.log"), 2, Duration.ofHours(24), 2), now::get);
        for (int i = 0; i < 6; i++) {
            f.write(Integer.toString(i)); // each line fills a file
        }
        f.close();
        List<Path> fs = files();
        assertEquals(3, fs.size(), "current file and two older ones: " + fs);
        assertEquals("3\n", Files.readString(fs.get(0)));
        assertEquals("5\n", Files.readString(fs.get(2)));
    }

    @Test
    void maxFilesMinusOneKeepsNoOlderFile() throws IOException {
        RotatingLogFile f = new RotatingLogFile(settings(dir.resolve("t.log"), 2, Duration.ofHours(24), -1), now::get);
        f.write("a");
        f.write("b");
        f.close();
        assertEquals(List.of("b\n"), files().stream().map(p -> {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList());
    }

    @Test
    void settingsReadFromPropertiesAndRejectBadValues() {
        LogSettings s = LogSettings.of(PluginConfig.of(Map.of(LogSettings.FILE, "/var/log/t.log",
                LogSettings.ROTATE_BYTES, "1024", LogSettings.ROTATE_DURATION, "1h", LogSettings.MAX_FILES, "3",
                LogSettings.JSON, "true")));
        assertEquals(new LogSettings(Optional.of("/var/log/t.log"), 1024, Duration.ofHours(1), 3, true), s);
        assertEquals(s, LogSettings.of(PluginConfig.of(s.asProperties())));
        assertEquals(LogSettings.DEFAULT, LogSettings.of(PluginConfig.of(Map.of())));
        assertThrows(ConfigException.class, () -> LogSettings.of(PluginConfig.of(Map.of(LogSettings.ROTATE_BYTES, "-1"))));
        assertThrows(ConfigException.class, () -> LogSettings.of(PluginConfig.of(Map.of(LogSettings.ROTATE_DURATION, "10ms"))));
        assertThrows(ConfigException.class, () -> LogSettings.of(PluginConfig.of(Map.of(LogSettings.MAX_FILES, "-2"))));
    }

    private static LogSettings settings(Path p, long bytes, Duration d, int max) {
        return new LogSettings(Optional.of(p.toString()), bytes, d, max, false);
    }
}
