package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
}
