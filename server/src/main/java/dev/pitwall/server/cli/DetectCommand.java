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

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Logs: dmesg or journalctl -k output, syslog, job logs; - reads standard input.")
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
                byFile.put(file.toString(), file.toString().equals("-") ? scanner.scan(System.in) : scanner.scan(file));
            } catch (NoSuchFileException e) {
                err.println(file + ": no such file");
                unreadable = true;
            }
        }
        if (format == OutputFormat.JSON) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(byFile));
        } else {
            byFile.forEach((file, signals) -> {
                out.println((file.equals("-") ? "standard input" : file) + ": " + signals.size() + " signal"
                        + (signals.size() == 1 ? "" : "s"));
                // A signal repeated (the same rule, fields and meaning) is one line with where it showed.
                Map<List<Object>, List<Integer>> repeats = new LinkedHashMap<>();
                Map<List<Object>, Signal> first = new LinkedHashMap<>();
                for (LineSignal found : signals) {
                    Signal s = found.signal();
                    List<Object> key = List.of(s.rule(), s.severity(), s.fields(), s.meaning());
                    repeats.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(found.line());
                    first.putIfAbsent(key, s);
                }
                repeats.forEach((key, lines) -> {
                    Signal s = first.get(key);
                    out.println("  " + where(lines) + ": " + s.severity().name().toLowerCase(java.util.Locale.ROOT) + " "
                            + s.rule() + (s.fields().isEmpty() ? "" : " " + s.fields()) + ": " + s.meaning()
                            + (s.action().isEmpty() ? "" : "; " + s.action()));
                });
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

    /** "12", "12, 40, 41 (3 times)", or "12 to 9,812 (57 times)" for many. */
    static String where(List<Integer> lines) {
        if (lines.size() == 1) {
            return String.valueOf(lines.getFirst());
        }
        String which = lines.size() <= 4
                ? String.join(", ", lines.stream().map(String::valueOf).toList())
                : String.format(java.util.Locale.ROOT, "%d to %,d", lines.getFirst(), lines.getLast());
        return which + " (" + lines.size() + " times)";
    }
}
