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
@Command(name = "tribune", mixinStandardHelpOptions = false,
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

    /** Runs the command line; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Logging.configure(System.getProperty("tribune.log.level", "info"));
        CommandLine cl = commandLine(args);
        // "@FILE" is Consul's way of passing a file's content (acl policy create -rules @rules.hcl),
        // not picocli's argument file.
        cl.setExpandAtFiles(false);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            err.println("see 'tribune help " + (ex.getCommandLine().getCommandName()) + "'");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            err.println("error: " + ex.getMessage());
            return EXIT_FAILURE;
        });
        // cli: -h, -help, --help, help <command...>, -v and --version at every level (exit 0); lock's
        // child command keeps its own flags (lock p ls -l), as Go's flag parsing stops at the first argument.
        CommandLine lock = cl.getSubcommands().get("lock"); // absent when another command alone is built
        if (lock != null) {
            lock.setStopAtPositional(true);
        }
        Integer handled = HelpSupport.handle(cl, args, out, err);
        return handled != null ? handled : cl.execute(args);
    }

    /**
     * The command tree for {@code args}: only the command that {@code args[0]} names (picocli's
     * model is built by reflection, most of a short CLI call's time), or every command when
     * {@code args[0]} names none ({@code help}, no command, an unknown one).
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        Class<?> only = null;
        for (Class<?> c : COMMANDS) {
            Command a = c.getAnnotation(Command.class);
            if (args.length > 0 && c != CommandLine.HelpCommand.class && a != null
                    && (a.name().equals(args[0]) || java.util.Arrays.asList(a.aliases()).contains(args[0]))) {
                only = c;
            }
        }
        for (Class<?> c : COMMANDS) {
            if (only == null || c == only) {
                cl.addSubcommand(c);
            }
        }
        return cl;
    }
}
