package dev.pitwall.server.cli;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.json.Json;
import dev.pitwall.trainops.detect.LineSignal;
import dev.pitwall.trainops.detect.LogMatcher;
import dev.pitwall.trainops.detect.LogScanner;
import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.Signal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "detect",
        description = "Scan kernel and job logs for faults (Xid, ECC, NVLink, NCCL timeouts, OOM, NaN loss, link flaps). "
                + "Exit 1 when an error or critical signal is found.",
        mixinStandardHelpOptions = true)
final class DetectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Logs: dmesg or journalctl -k output, syslog, job logs.")
    List<Path> files;

    @Option(names = "--rules", paramLabel = "FILE", description = "Your rules and Xid codes, added to the shipped ones.")
    Path rules;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = "text: one line a signal; json: signals per file (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Override
    public Integer call() throws IOException {
        Optional<String> refused = format.refusedUnless(OutputFormat.TEXT, OutputFormat.JSON);
        if (refused.isPresent()) {
            return PitwallCommand.usageError(spec, refused.get());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RuleCatalog catalog;
        try {
            catalog = rules == null ? RuleCatalog.builtIn() : RuleCatalog.builtIn().with(rules);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return PitwallCommand.EXIT_USAGE;
        }
        LogScanner scanner = new LogScanner(new LogMatcher(catalog));
        Map<String, List<LineSignal>> byFile = new LinkedHashMap<>();
        boolean unreadable = false;
        for (Path file : files) {
            try {
                byFile.put(file.toString(), scanner.scan(file));
            } catch (NoSuchFileException e) {
                err.println(file + ": no such file");
                unreadable = true;
            }
        }
        if (format == OutputFormat.JSON) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(byFile));
        } else {
            byFile.forEach((file, signals) -> {
                out.println(file + ": " + signals.size() + " signal" + (signals.size() == 1 ? "" : "s"));
                for (LineSignal found : signals) {
                    Signal s = found.signal();
                    out.println("  " + found.line() + ": " + s.severity().name().toLowerCase(java.util.Locale.ROOT) + " "
                            + s.rule() + (s.fields().isEmpty() ? "" : " " + s.fields()) + ": " + s.meaning()
                            + (s.action().isEmpty() ? "" : "; " + s.action()));
                }
            });
        }
        out.flush();
        if (unreadable) {
            return PitwallCommand.EXIT_USAGE;
        }
        boolean serious = byFile.values().stream().flatMap(List::stream)
                .anyMatch(s -> s.signal().severity().compareTo(Severity.ERROR) >= 0);
        return serious ? PitwallCommand.EXIT_FAILED : 0;
    }
}
