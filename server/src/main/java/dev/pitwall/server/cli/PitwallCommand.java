package dev.pitwall.server.cli;

import dev.pitwall.core.config.DurationText;
import dev.pitwall.server.BuildInfo;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "pitwall",
        mixinStandardHelpOptions = true,
        versionProvider = PitwallCommand.Version.class,
        description = {
            "Pitwall keeps GPU training runs on track and LLM serving within SLO.",
            "Run 'pitwall demo' to see it on embedded defaults, 'pitwall COMMAND --help' for a command's options."
        })
public final class PitwallCommand extends CommandGroup {

    /** Exit status for a configuration or usage error (picocli uses 2 for usage errors too). */
    public static final int EXIT_USAGE = 2;
    /** Exit status when Pitwall could not start (store unreachable, port taken). */
    public static final int EXIT_FAILED = 1;

    PitwallCommand() {
        super(List.of(ServeCommand.class, DemoCommand.class, AgentCommand.class, CheckCommand.class, DetectCommand.class,
                IncidentsCommand.class, DrillCommand.class, ReportCommand.class, PlanCommand.class, SloCommand.class,
                SimCommand.class, CommandLine.HelpCommand.class));
    }

    /** Says on stderr what is wrong, prefixed with the command ("pitwall plan estimate: …"); answers {@link #EXIT_USAGE}. */
    static int usageError(CommandLine.Model.CommandSpec spec, String message) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + message);
        spec.commandLine().getErr().flush();
        return EXIT_USAGE;
    }

    /**
     * The command line for these arguments, built only as far as they reach (see {@link
     * CommandGroup}); with none, every command.
     */
    public static CommandLine commandLine(String... args) {
        // Set after the commands are added: picocli applies these to the subcommands it has.
        // Durations as the YAML takes them (1s, 5m, 2h), on every command.
        return commandLine(PitwallCommand.class, List.of(args)).setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Duration.class, DurationText::parse);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pitwall " + BuildInfo.current().version()};
        }
    }
}
