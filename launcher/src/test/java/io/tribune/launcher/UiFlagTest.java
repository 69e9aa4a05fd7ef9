package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code -ui} flag of {@code tribune agent}: the {@code ui} config key, read by the HTTP module as {@code ui.enabled}. */
class UiFlagTest {
    @TempDir
    Path dir;

    private String uiEnabled(String... args) {
        AgentCommand cmd = new AgentCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.config().pluginConfig().get("ui.enabled");
    }

    @Test
    void uiFlagTurnsTheUiOnForAServerAndDevHasItAnyway() {
        assertEquals("false", uiEnabled("-server", "-data-dir", dir.toString()));
        assertEquals("true", uiEnabled("-server", "-data-dir", dir.toString(), "-ui"));
        assertEquals("true", uiEnabled("-dev"));
        assertEquals("true", uiEnabled("-dev", "-ui"));
    }
}
