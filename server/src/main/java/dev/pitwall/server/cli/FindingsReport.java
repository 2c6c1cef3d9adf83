package dev.pitwall.server.cli;

import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How an integration check (scheduler, storage) prints its findings, as text or JSON, and keeps
 * them as an acceptance run when asked; the monitoring check takes its options and writes a text
 * of its own.
 */
final class FindingsReport {

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "(default: ${DEFAULT-VALUE})")
    OutputFormat format;

    @Option(names = "--store", description = "Also keep the findings as an acceptance run in Pitwall's store, where the "
            + "console lists it beside the other checks.")
    boolean store;

    @Mixin
    StoreOptions storeOptions;

    /** The refusal of a format this report cannot write, if the command was given one. */
    Optional<String> refusedFormat() {
        return format.refusedUnless(OutputFormat.TEXT, OutputFormat.JSON);
    }

    /**
     * @param title   the stored run's name
     * @param heading the text output's first line
     * @param checked what was checked (nodes, or "cluster"), each a pass unless a finding says otherwise
     * @param inputs  how many things were read (kubectl objects, probes)
     * @param extra   more top-level fields of the JSON output
     * @return the exit code: 0, 1 when something failed, 2 when it could not be stored
     */
    int write(CommandSpec spec, String title, String heading, Collection<String> checked, List<Finding> findings,
              int inputs, Map<String, String> extra) throws IOException {
        Verdict verdict = findings.stream().map(Finding::verdict).reduce(Verdict.PASS, Verdict::worst);
        if (store) {
            Optional<Integer> failed = CheckCommand.storeRun(spec, storeOptions, title, null,
                    Evaluation.ofFindings(checked, findings, inputs));
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format == OutputFormat.JSON) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("verdict", verdict.name());
            json.putAll(extra);
            json.put("findings", findings);
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } else {
            out.println(heading + ": " + verdict);
            for (Finding f : findings) {
                out.printf("%-4s %-24s %-32s %s%n", f.verdict(), f.node(), f.check().substring(f.check().indexOf('.') + 1),
                        f.value());
                out.println("     " + f.detail());
            }
        }
        out.flush();
        return verdict == Verdict.FAIL ? CheckCommand.Evaluate.EXIT_FAIL : 0;
    }
}
