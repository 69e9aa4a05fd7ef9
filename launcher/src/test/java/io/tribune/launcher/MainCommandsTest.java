package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@link Main} builds picocli's model only for the command that runs (the CLI's start-up cost), and
 * still the whole tree for {@code help} and for a command it does not know.
 */
class MainCommandsTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(exit), out.toString(), err.toString()};
    }

    @Test
    void helpListsEveryCommand() {
        String[] r = run("help");
        assertEquals("0", r[0], r[2]);
        for (Class<?> c : Main.COMMANDS) {
            String name = c.getAnnotation(Command.class).name();
            assertTrue(r[1].contains("  " + name + " "), name + " missing from:\n" + r[1]);
        }
    }

    @Test
    void aKnownCommandRunsAndAnUnknownOneIsAUsageError() {
        String[] v = run("version");
        assertEquals("0", v[0], v[2]);
        assertTrue(v[1].startsWith("Tribune v"), v[1]);
        String[] u = run("no-such-command");
        assertEquals(Integer.toString(Main.EXIT_USAGE), u[0]);
        assertTrue(u[2].contains("no-such-command"), u[2]);
    }

    @Test
    void theCommandTableAgreesWithEveryCommandsNameAndAliases() {
        int names = 0;
        for (Class<?> c : Main.COMMANDS) {
            if (c == CommandLine.HelpCommand.class) {
                assertNull(Main.command("help"), "help builds the whole tree");
                continue;
            }
            Command a = c.getAnnotation(Command.class);
            assertEquals(c, Main.command(a.name()), a.name());
            names++;
            for (String alias : a.aliases()) {
                assertEquals(c, Main.command(alias), alias);
            }
        }
        assertEquals(Main.COMMANDS.size() - 1, names);
        assertNull(Main.command("no-such-command"));
        assertNull(Main.command(""));
    }

    @Test
    void onlyTheCommandThatRunsIsBuiltAndAnUnknownOneGetsTheWholeTree() {
        assertEquals(java.util.Set.of("members"), Main.commandLine(new String[] {"members", "-wan"}).getSubcommands().keySet());
        assertEquals(Main.COMMANDS.size(), Main.commandLine(new String[] {"nope"}).getSubcommands().size());
    }
}
