package dev.pitwall.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.acceptance.monitoring.MonitoringCatalog;
import dev.pitwall.acceptance.monitoring.MonitoringCheck;
import dev.pitwall.acceptance.monitoring.PrometheusSource;
import dev.pitwall.acceptance.monitoring.Scrapes;
import dev.pitwall.acceptance.store.RunKind;
import dev.pitwall.acceptance.verdict.Evaluation;
import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "monitoring", mixinStandardHelpOptions = true,
        description = {"Check that a cluster's monitoring sees what training needs: dcgm-exporter's fields (its "
                + "defaults and the ones training needs that it leaves off), node-exporter, kube-state-metrics, the "
                + "scheduler's (Kueue or Volcano) and the engines' (vLLM), on every node and GPU of the inventory; "
                + "DCGM's not-supported values, series that cannot be joined to a node, MIG series without GPU_I_ID, "
                + "GPUs counted once per pod, stale samples and counters that go down.",
            "Read from the cluster's Prometheus (--prometheus URL: its query API, the last 5 minutes of samples) or from "
                + "folders of exporter outputs (--scrape DIR: <node>/<exporter>.prom and cluster/<exporter>.prom). "
                + "Exit 0 when nothing fails, 1 when something does, 2 when the outputs cannot be read."})
final class MonitoringCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scrape", paramLabel = "DIR",
            description = "A round of exporter outputs; give two or more, oldest first, to check that counters only grow.")
    List<Path> rounds;

    @Option(names = "--prometheus", paramLabel = "URL",
            description = "The cluster's Prometheus, such as http://prometheus.monitoring:9090, instead of --scrape.")
    URI prometheus;

    @Option(names = "--catalog", paramLabel = "FILE",
            description = "What the monitoring must expose, instead of the built-in catalog (the same YAML shape).")
    Path catalogFile;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "15s",
            description = "The scrape interval: samples older than twice it are stale (default: ${DEFAULT-VALUE}).")
    Duration interval;

    /** Its --format and --store; the text output is this command's own (coverage per family first). */
    @Mixin
    FindingsReport report;

    @Override
    public Integer call() throws IOException {
        Optional<String> refused = report.refusedFormat();
        if (refused.isPresent()) {
            return PitwallCommand.usageError(spec, refused.get());
        }
        MonitoringCatalog catalog;
        try {
            catalog = catalogFile == null ? MonitoringCatalog.builtIn() : MonitoringCatalog.read(catalogFile);
        } catch (IOException e) {
            return PitwallCommand.usageError(spec, catalogFile + ": " + e.getMessage());
        }
        if ((rounds == null) == (prometheus == null)) {
            return PitwallCommand.usageError(spec, "give --prometheus URL or one or more --scrape DIR (not both)");
        }
        List<Scrapes> read = new ArrayList<>();
        if (prometheus != null) {
            try {
                read.add(new PrometheusSource(prometheus, catalog).read());
            } catch (IOException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
        }
        for (Path round : rounds == null ? List.<Path>of() : rounds) {
            if (!Files.isDirectory(round)) {
                return PitwallCommand.usageError(spec, round + ": no such folder");
            }
            try {
                read.add(Scrapes.read(round));
            } catch (IOException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
        }
        MonitoringCheck.Result result = new MonitoringCheck(catalog, interval).check(read);
        if (report.store) {
            String source = prometheus != null ? prometheus.toString()
                    : rounds.getLast().toAbsolutePath().normalize().getFileName().toString();
            Optional<Integer> failed = CheckCommand.storeRun(spec, report.storeOptions, RunKind.MONITORING.named(source), null,
                    Evaluation.ofFindings(result.nodes(), result.findings(),
                            read.stream().mapToInt(r -> r.files().size()).sum()));
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (report.format == OutputFormat.JSON) {
            ObjectNode json = Json.mapper().createObjectNode().put("verdict", result.verdict().name());
            json.set("nodes", Json.mapper().valueToTree(result.nodes()));
            json.set("coverage", Json.mapper().valueToTree(result.coverage()));
            json.set("findings", Json.mapper().valueToTree(result.findings()));
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } else {
            text(result, out);
        }
        out.flush();
        return result.verdict() == Verdict.FAIL ? CheckCommand.Evaluate.EXIT_FAIL : 0;
    }

    private static void text(MonitoringCheck.Result result, PrintWriter out) {
        out.println("Monitoring of " + result.nodes().size() + " nodes (" + String.join(", ", result.nodes()) + "): "
                + result.verdict());
        out.println();
        out.printf("%-20s %s%n", "family", "items seen");
        for (MonitoringCheck.Coverage c : result.coverage()) {
            out.printf(Locale.ROOT, "%-20s %s%n", c.family(), c.present() ? c.found() + " of " + c.expected()
                    : "not scraped");
        }
        if (result.findings().isEmpty()) {
            out.println();
            out.println("Nothing missing, nothing misread.");
            return;
        }
        out.println();
        for (Finding f : result.findings()) {
            out.printf("%-4s %-10s %-28s %s%n", f.verdict(), f.node(), f.check().replace("monitoring.", ""), f.expected());
            out.println("     " + f.detail());
        }
    }
}
