package io.tribune.launcher;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code tribune exec}: not built. Consul's remote execution runs commands on every matching node
 * through the KV store and user events; it is off by default since Consul 0.7 and 1.x
 * ({@code disable_remote_exec = true}) because it lets anyone with KV write access run commands on
 * every agent. Tribune leaves it out; the command exits 1 saying so, with any arguments.
 */
@Command(addMethodSubcommands = false, name = "exec", description = "Remote execution: not available in Tribune (off by default in Consul 1.x; exits 1).")
final class ExecCommand implements Callable<Integer> {
    static final String MESSAGE = "Error! remote exec is not supported by Tribune: Consul 1.x turns it off by default"
            + " (disable_remote_exec = true) because it runs arbitrary commands on every agent; run commands with"
            + " your own tooling, or use 'tribune event' with watch handlers (watch -type event -handler ...)";

    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> ignored;

    @Parameters(arity = "0..*", hidden = true)
    List<String> args;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(MESSAGE);
        return 1;
    }
}
