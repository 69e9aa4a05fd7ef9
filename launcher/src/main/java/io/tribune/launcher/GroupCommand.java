package io.tribune.launcher;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code kv}, {@code acl policy}, ...): run without one, it is
 * a usage error that names them, in the order they are declared ("a subcommand is required: get, put
 * or delete"), and picocli prints the usage and exits 2.
 *
 * <p>release (issue 16): a group names its subcommands in {@link #subcommands()}, not in
 * {@code @Command(subcommands = ...)}, from which picocli would build every subcommand's model (reflection
 * over all their options) whatever runs; {@link Main#commandLine} adds only the subcommand that the
 * command line names, or all of them when it names none (help, a missing or an unknown subcommand).
 */
abstract class GroupCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** The subcommands (classes annotated with {@code @Command}), in the order help lists them. */
    abstract List<Class<?>> subcommands();

    @Override
    public void run() {
        List<String> names = new ArrayList<>();
        spec.subcommands().values().forEach(c -> {
            String name = c.getCommandName();
            if (!names.contains(name)) {
                names.add(name);
            }
        });
        String list = names.size() <= 1 ? String.join("", names)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        throw new ParameterException(spec.commandLine(), "a subcommand is required: " + list);
    }
}
