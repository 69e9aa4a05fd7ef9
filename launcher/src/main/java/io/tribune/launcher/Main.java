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
        CommandLine cl = new CommandLine(new Main());
        Class<?> only = args.length > 0 ? command(args[0]) : null;
        for (Class<?> c : COMMANDS) {
            if (only == null || c == only) {
                cl.addSubcommand(c);
            }
        }
        return cl;
    }
}
