package io.tribune.launcher;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tribune} command.
 *
 * <p>Start-up steps of {@code tribune agent}, in order:
 * <ol>
 *   <li>parse flags (Consul's names, single dash) and read config files; a bad flag or key exits 2;</li>
 *   <li>scan the plugins directories (one unit per sub-directory or jar);</li>
 *   <li>load plugins in the chosen runtime: embedded Apache Felix (default) or JPMS module layers
 *       ({@code -runtime jpms}); a plugin that cannot load exits 2 naming it;</li>
 *   <li>check SPI versions and choose one factory per SPI area; an unknown, missing or ambiguous
 *       choice exits 2 listing what is available;</li>
 *   <li>start the agent (storage, transport, consensus, membership, HTTP), then install a shutdown
 *       hook that leaves gracefully on SIGTERM or Ctrl-C and exits 0.</li>
 * </ol>
 */
@Command(addMethodSubcommands = false, name = "tribune", mixinStandardHelpOptions = false,
        description = "Tribune: service discovery and configuration with Consul's architecture.")
public final class Main implements Runnable {
    /**
     * Every command, in the order {@code tribune help} lists them (add new commands here).
     *
     * <p>release (issue 16): a list rather than {@code @Command(subcommands = ...)} so that
     * {@link #execute} builds picocli's model only for the command that runs: building it for every
     * command and subcommand (reflection over all their options) was most of a CLI call's time.
     * {@code help}, no command, or an unknown one still get the whole tree.
     */
    static final List<Class<?>> COMMANDS = List.of(AgentCommand.class, PluginsCommand.class, VersionCommand.class,
            ClientCommands.Members.class, ClientCommands.Join.class, ClientCommands.Leave.class,
            ClientCommands.ForceLeave.class, ClientCommands.Info.class, ClientCommands.Keygen.class,
            ClientCommands.Catalog.class, ClientCommands.Kv.class, RttCommand.class, OperatorCommands.Operator.class,
            OperatorCommands.Snapshot.class, OperatorCommands.Keyring.class, AclCommands.AclRoot.class,
            // cli: Consul 1.4.5's remaining commands (watch, lock, maint, event, exec, services)
            WatchCommand.class, LockCommand.class, MaintCommand.class, EventCommand.class, ExecCommand.class,
            ServicesCommands.Services.class,
            // config feature
            ConfigCommands.Validate.class, ConfigCommands.Reload.class,
            MonitorCommand.class, // obs
            CommandLine.HelpCommand.class);

    /** Exit code for bad usage, configuration or plugin selection. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a failure at run time. */
    public static final int EXIT_FAILURE = 1;

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required");
    }

    /** Runs the command line and exits with its code (unless the agent keeps running). */
    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * picocli's built-in converters that this CLI does not use, for {@code picocli.converters.excludes}
     * (a comma-separated list of regular expressions over class names): the {@code java.sql} types, and
     * the {@code java.time} types but {@link java.time.Duration}. Registering a converter initialises its
     * class, and the initialisers of {@code Year}, {@code MonthDay}, {@code OffsetDateTime} and the like
     * build {@code DateTimeFormatter}s, for nothing (release, issue 16). picocli compiles these patterns
     * again for each converter of each command line it builds, which takes back part of the gain: net,
     * 'kv get' took 0-17 ms less CPU time (three interleaved sets of 9 runs, JDK 17, load ~16).
     * MainCommandsTest checks that no option or parameter of any command has an excluded type.
     */
    static final String CONVERTER_EXCLUDES = "java\\.sql\\..*,java\\.time\\.(?!Duration$).*";

    /** Runs the command line; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        // fastcli: only the host's commands log; a CLI command that talks to an agent would pay for
        // java.util.logging's set-up (a tenth of its run time) for nothing.
        if (args.length == 0 || runsHost(args[0])) {
            Logging.configure(System.getProperty("tribune.log.level", "info"));
        }
        CommandLine cl = commandLine(args);
        // "@FILE" is Consul's way of passing a file's content (acl policy create -rules @rules.hcl),
        // not picocli's argument file.
        cl.setExpandAtFiles(false);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(new UsageError(err));
        cl.setExecutionExceptionHandler(new RunError(err));
        // cli: -h, -help, --help, help <command...>, -v and --version at every level (exit 0); lock's
        // child command keeps its own flags (lock p ls -l), as Go's flag parsing stops at the first argument.
        CommandLine lock = cl.getSubcommands().get("lock"); // absent when another command alone is built
        if (lock != null) {
            lock.setStopAtPositional(true);
        }
        Integer handled = HelpSupport.handle(cl, args, out, err);
        return handled != null ? handled : cl.execute(args);
    }

    // release (issue 16): classes, not lambdas. picocli's class files are Java 5's, and a lambda that
    // implements one of its interfaces makes the CLI's class-data archive (JDK 17) leave out the
    // interface, the lambda and picocli's own implementations of it; each command then spun the lambda
    // classes at run time.

    /** A usage error: its message, where to find help, exit 2. */
    private static final class UsageError implements CommandLine.IParameterExceptionHandler {
        private final PrintWriter err;

        UsageError(PrintWriter err) {
            this.err = err;
        }

        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            err.println("error: " + ex.getMessage());
            err.println("see 'tribune help " + (ex.getCommandLine().getCommandName()) + "'");
            return EXIT_USAGE;
        }
    }

    /** A command that failed with an exception: its message, exit 1. */
    private static final class RunError implements CommandLine.IExecutionExceptionHandler {
        private final PrintWriter err;

        RunError(PrintWriter err) {
            this.err = err;
        }

        @Override
        public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parsed) {
            err.println("error: " + ex.getMessage());
            return EXIT_FAILURE;
        }
    }

    /** Whether command {@code name} runs the host (and logs): the commands bin/tribune starts with the host's class path. */
    static boolean runsHost(String name) {
        return "agent".equals(name) || "plugins".equals(name) || "validate".equals(name);
    }

    /**
     * The class of top-level command {@code name} (one of {@link #COMMANDS}, {@code help} excepted), or
     * null when no command has that name.
     *
     * <p>fastcli: a switch rather than reading each command's {@code @Command} annotation: reading
     * them all (annotation proxies, and the subcommand classes each one names) cost more than
     * building the one command's model. MainCommandsTest checks that it agrees with the annotations.
     */
    static Class<?> command(String name) {
        return switch (name) {
            case "agent" -> AgentCommand.class;
            case "plugins" -> PluginsCommand.class;
            case "version" -> VersionCommand.class;
            case "members" -> ClientCommands.Members.class;
            case "join" -> ClientCommands.Join.class;
            case "leave" -> ClientCommands.Leave.class;
            case "force-leave" -> ClientCommands.ForceLeave.class;
            case "info" -> ClientCommands.Info.class;
            case "keygen" -> ClientCommands.Keygen.class;
            case "catalog" -> ClientCommands.Catalog.class;
            case "kv" -> ClientCommands.Kv.class;
            case "rtt" -> RttCommand.class;
            case "operator" -> OperatorCommands.Operator.class;
            case "snapshot" -> OperatorCommands.Snapshot.class;
            case "keyring" -> OperatorCommands.Keyring.class;
            case "acl" -> AclCommands.AclRoot.class;
            case "watch" -> WatchCommand.class;
            case "lock" -> LockCommand.class;
            case "maint" -> MaintCommand.class;
            case "event" -> EventCommand.class;
            case "exec" -> ExecCommand.class;
            case "services" -> ServicesCommands.Services.class;
            case "validate" -> ConfigCommands.Validate.class;
            case "reload" -> ConfigCommands.Reload.class;
            case "monitor" -> MonitorCommand.class;
            default -> null;
        };
    }

    /**
     * The command tree for {@code args}: only the command that {@code args[0]} names (picocli's
     * model is built by reflection, most of a short CLI call's time), or every command when
     * {@code args[0]} names none ({@code help}, no command, an unknown one).
     */
    static CommandLine commandLine(String[] args) {
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", CONVERTER_EXCLUDES);
        }
        CommandLine cl = new CommandLine(new Main());
        Class<?> only = args.length > 0 ? command(args[0]) : null;
        for (Class<?> c : COMMANDS) {
            if (only == null || c == only) {
                cl.addSubcommand(command(c, args, only == null ? -1 : 1));
            }
        }
        return cl;
    }

    /**
     * Command {@code c} for picocli: the class itself, or for a {@link GroupCommand} its command line with
     * only the subcommand that {@code args[next]} names (recursively), or with all of them when
     * {@code next} is -1 or {@code args[next]} names none (then picocli reports the missing or unknown
     * subcommand, or prints help, exactly as with the whole tree).
     */
    static Object command(Class<?> c, String[] args, int next) {
        if (!GroupCommand.class.isAssignableFrom(c)) {
            return c;
        }
        CommandLine group = new CommandLine(c);
        List<Class<?>> subs = ((GroupCommand) group.getCommand()).subcommands();
        Class<?> only = next >= 0 && next < args.length ? named(subs, args[next]) : null;
        for (Class<?> s : subs) {
            if (only == null || s == only) {
                group.addSubcommand(command(s, args, only == null ? -1 : next + 1));
            }
        }
        return group;
    }

    /** The class among {@code classes} whose {@code @Command} has {@code name} as name or alias, or null. */
    static Class<?> named(List<Class<?>> classes, String name) {
        for (Class<?> c : classes) {
            Command a = c.getAnnotation(Command.class);
            if (a.name().equals(name) || List.of(a.aliases()).contains(name)) {
                return c;
            }
        }
        return null;
    }
}
