package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;

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

    /** Every command line under {@code cl}, itself included. */
    private static List<CommandLine> tree(CommandLine cl) {
        List<CommandLine> all = new ArrayList<>();
        all.add(cl);
        for (CommandLine sub : new java.util.LinkedHashSet<>(cl.getSubcommands().values())) {
            all.addAll(tree(sub));
        }
        return all;
    }

    private static Set<String> subcommands(CommandLine cl, String... path) {
        CommandLine c = cl;
        for (String p : path) {
            c = c.getSubcommands().get(p);
        }
        return c.getSubcommands().keySet();
    }

    @Test
    void aGroupGetsOnlyTheSubcommandThatRunsAndAllOfThemOtherwise() {
        Set<String> kv = Set.of("get", "put", "delete", "export", "import");
        assertEquals(Set.of("get"), subcommands(Main.commandLine(new String[] {"kv", "get", "k"}), "kv"));
        assertEquals(Set.of("policy"), subcommands(Main.commandLine(new String[] {"acl", "policy", "list"}), "acl"));
        assertEquals(Set.of("list"), subcommands(Main.commandLine(new String[] {"acl", "policy", "list"}), "acl", "policy"));
        // No subcommand, an unknown one, a flag first, or help: the whole group, so that picocli's
        // errors and usage are those of the whole tree.
        assertEquals(kv, subcommands(Main.commandLine(new String[] {"kv"}), "kv"));
        assertEquals(kv, subcommands(Main.commandLine(new String[] {"kv", "nope"}), "kv"));
        assertEquals(kv, subcommands(Main.commandLine(new String[] {"kv", "-http-addr", "x", "get"}), "kv"));
        assertEquals(kv, subcommands(Main.commandLine(new String[] {"help", "kv", "get"}), "kv"));
        assertEquals(5, subcommands(Main.commandLine(new String[] {"acl", "policy"}), "acl", "policy").size());
        String[] r = run("kv");
        assertEquals(Integer.toString(Main.EXIT_USAGE), r[0]);
        assertTrue(r[2].contains("a subcommand is required: get, put, delete, export or import"), r[2]);
    }

    @Test
    void everyGroupsSubcommandIsFoundByItsNameAndAliases() {
        int groups = 0;
        for (CommandLine cl : tree(Main.commandLine(new String[] {"help"}))) {
            if (!(cl.getCommand() instanceof GroupCommand g)) {
                continue;
            }
            groups++;
            List<Class<?>> subs = g.subcommands();
            assertEquals(subs.size(), cl.getSubcommands().size(), cl.getCommandName());
            for (Class<?> c : subs) {
                Command a = c.getAnnotation(Command.class);
                assertEquals(c, Main.named(subs, a.name()), a.name());
                for (String alias : a.aliases()) {
                    assertEquals(c, Main.named(subs, alias), alias);
                }
            }
            assertNull(Main.named(subs, "no-such-subcommand"));
        }
        assertTrue(groups >= 10, "groups found: " + groups);
    }

    private static boolean excluded(String className) {
        for (String regex : Main.CONVERTER_EXCLUDES.split(",")) {
            if (className.matches(regex)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void noOptionOrParameterHasATypeWhoseConverterIsLeftOut() {
        assertTrue(excluded("java.time.Instant") && excluded("java.time.MonthDay") && excluded("java.sql.Timestamp"));
        assertTrue(!excluded("java.time.Duration") && !excluded("java.nio.file.Path") && !excluded("java.lang.String"));
        int args = 0;
        for (CommandLine cl : tree(Main.commandLine(new String[] {"help"}))) {
            for (ArgSpec a : cl.getCommandSpec().args()) {
                args++;
                List<Class<?>> types = new ArrayList<>(List.of(a.auxiliaryTypes()));
                types.add(a.type());
                for (Class<?> t : types) {
                    assertTrue(!excluded(t.getName()), cl.getCommandName() + " " + a + ": " + t.getName());
                }
            }
        }
        assertTrue(args > 100, "options and parameters found: " + args);
        assertEquals(Main.CONVERTER_EXCLUDES, System.getProperty("picocli.converters.excludes"));
    }

    @Test
    void noCommandIsScannedForMethodSubcommands() {
        for (CommandLine cl : tree(Main.commandLine(new String[] {"help"}))) {
            if (cl.getCommand() instanceof CommandLine.HelpCommand) {
                continue; // picocli's own
            }
            assertTrue(!cl.getCommandSpec().isAddMethodSubcommands(), cl.getCommandName()
                    + ": @Command(addMethodSubcommands = false), as no command has method subcommands");
        }
    }
}
