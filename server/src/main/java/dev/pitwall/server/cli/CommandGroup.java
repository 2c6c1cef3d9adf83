package dev.pitwall.server.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands: run alone, it shows them. Its subcommands are built
 * only when they are needed: picocli reads a command's annotations when it builds it, and the
 * whole tree costs about 0.3 s, more than most commands take to run.
 */
abstract class CommandGroup implements Runnable {

    @Spec
    CommandSpec spec;

    private final List<Class<?>> subcommands;

    /** @param subcommands the subcommands, in the order usage lists them */
    CommandGroup(List<Class<?>> subcommands) {
        this.subcommands = subcommands;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The command line of a command for these arguments: of a group, only the subcommand the first
     * argument names is built (and so on down); every one when it names none or names help, since
     * usage, help and picocli's "did you mean" need them all.
     */
    static CommandLine commandLine(Object commandOrClass, List<String> args) {
        CommandLine line = new CommandLine(commandOrClass);
        if (line.getCommand() instanceof CommandGroup group) {
            List<Class<?>> named = args.isEmpty() ? List.of()
                    : group.subcommands.stream()
                            .filter(c -> c != CommandLine.HelpCommand.class && nameOf(c).equals(args.getFirst()))
                            .toList();
            List<String> rest = named.isEmpty() ? List.of() : args.subList(1, args.size());
            for (Class<?> subcommand : named.isEmpty() ? group.subcommands : named) {
                line.addSubcommand(commandLine(subcommand, rest));
            }
        }
        return line;
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }
}
