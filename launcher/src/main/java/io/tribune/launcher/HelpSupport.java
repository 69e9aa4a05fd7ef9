package io.tribune.launcher;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * Help and version the way people type them, before picocli parses anything: {@code tribune -h},
 * {@code -help}, {@code --help}, {@code tribune help [command...]}, {@code tribune kv get -h},
 * {@code tribune -v}, {@code --version}, {@code -version}. Each prints to standard output and exits 0.
 *
 * <p>Why not picocli's own help options: Consul's commands accept {@code -h} and {@code -help} at
 * every level, and every command here would need a mixin; a help flag is also recognised only
 * among the leading flags of a command (like Go's flag package, which stops at the first
 * argument), so {@code tribune lock prefix cmd -h} passes {@code -h} on to {@code cmd}.
 *
 * <p>Stateless; safe from any thread.
 */
final class HelpSupport {
    static final Set<String> HELP = Set.of("-h", "-help", "--help");
    static final Set<String> VERSION = Set.of("-v", "-version", "--version");

    private HelpSupport() {
    }

    /**
     * Handles help and version requests in {@code args}.
     *
     * @return the exit code when {@code args} asked for help or the version, or an unknown command
     *         was named (then a message names it and the code is {@link Main#EXIT_USAGE}, as the
     *         README documents for bad usage); null when the command line is for picocli to run
     */
    static Integer handle(CommandLine root, String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 0) {
            return null;
        }
        if (VERSION.contains(args[0])) {
            return root.execute("version");
        }
        if (args[0].equals("help")) {
            List<String> path = new ArrayList<>(List.of(args).subList(1, args.length));
            path.removeIf(HELP::contains);
            return usage(root, path, out, err);
        }
        if (!args[0].startsWith("-") && !root.getSubcommands().containsKey(args[0])) {
            err.println("Unknown command: '" + args[0] + "'");
            err.println("Commands: " + String.join(", ", root.getSubcommands().keySet()));
            err.println("see 'tribune --help'");
            return Main.EXIT_USAGE;
        }
        CommandLine cmd = root;
        List<String> path = new ArrayList<>();
        for (String a : args) {
            if (HELP.contains(a)) {
                return usage(root, path, out, err);
            }
            if (a.equals("--")) {
                return null;
            }
            if (a.startsWith("-")) {
                continue; // a flag of the command (or its value when written -flag=value)
            }
            CommandLine sub = cmd.getSubcommands().get(a);
            if (sub == null) {
                return null; // the first argument: later tokens belong to the command
            }
            cmd = sub;
            path.add(a);
        }
        return null;
    }

    /** Prints the usage of the command at {@code path} (the top level when empty); 0, or 2 for an unknown path. */
    static int usage(CommandLine root, List<String> path, PrintWriter out, PrintWriter err) {
        CommandLine cmd = root;
        for (String p : path) {
            CommandLine sub = cmd.getSubcommands().get(p);
            if (sub == null) {
                err.println("Unknown command: '" + String.join(" ", path) + "'");
                err.println("see 'tribune --help'");
                return Main.EXIT_USAGE;
            }
            cmd = sub;
        }
        cmd.usage(out);
        return 0;
    }
}
