package dev.pitwall.server.cli;

import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.acceptance.verdict.NodeFigures;
import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.catalog.GpuCatalog;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.report.DocumentWriter;
import dev.pitwall.core.storage.Database;
import dev.pitwall.server.PitwallStore;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.report.MetricDesignReport;
import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.fleet.NodeSightings;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.incident.Reliability;
import dev.pitwall.trainops.ingest.NodeInventory;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "report", description = "Reports for the platform team that span Pitwall's parts.",
        mixinStandardHelpOptions = true, subcommands = {ReportCommand.Metrics.class})
final class ReportCommand extends CommandGroup {

    @Command(name = "metrics", mixinStandardHelpOptions = true,
            description = {"The metric design report: every cluster metric Pitwall computes or reads (theoretical and "
                    + "effective TFLOPS, physical and logical utilisation, MTBF, node failure rate, scaling efficiency, "
                    + "goodput, time to detect and to recover …) with its formula, source, unit and where it is shown, "
                    + "from the code's own catalog.",
                "With a store (--data-dir or --config, or ./pitwall-data when it exists), each metric's value now: "
                    + "theoretical TFLOPS from the GPU catalog × the node agents' inventory, effective from the newest "
                    + "stored HPL-MxP results, the rest over the last 30 days."})
    static final class Metrics implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Option(names = "--precision", paramLabel = "NAME", defaultValue = "bf16",
                description = "The precision of the theoretical peak: fp64, fp32, tf32, bf16, fp16, fp8, int8 "
                        + "(default: ${DEFAULT-VALUE}).")
        String precision;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            PitwallConfig loaded;
            try {
                loaded = store.load();
            } catch (ConfigException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            MetricDesignReport.Now now = MetricDesignReport.Now.NOTHING;
            Database opened = null;
            try {
                opened = PitwallStore.openExisting(loaded, new SimpleMeterRegistry());
            } catch (IllegalStateException noStore) {
                if (store.dataDir != null || store.config != null) {
                    return PitwallCommand.usageError(spec, noStore.getMessage());
                }
                spec.commandLine().getErr().println("no Pitwall store in " + loaded.dataDir()
                        + ": the catalog without values (--data-dir or --config give them)");
            }
            if (opened != null) {
                spec.commandLine().getErr().println("reading " + opened.describe());
                try (Database database = opened) {
                    now = now(database, precision);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(format == OutputFormat.JSON
                    ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(MetricDesignReport.json(now)) + "\n"
                    : DocumentWriter.write(MetricDesignReport.document(now), format.id()));
            out.flush();
            return 0;
        }

        static MetricDesignReport.Now now(Database database, String precision) {
            Clock clock = Clock.systemUTC();
            Instant to = clock.instant();
            Instant from = to.minus(Duration.ofDays(30));
            Incidents incidents = new Incidents(database, new AuditLog(database, clock), clock,
                    RuleCatalog.builtIn().suspectCategories());
            Reliability reliability = Reliability.of(incidents.detectedBetween(from, to), from, to,
                    new NodeSightings(database).observed(from, to), OptionalInt.empty(),
                    new UtilizationStore(database).between(from, to));
            return new MetricDesignReport.Now(
                    MetricDesignReport.theoretical(new NodeInventory(database, clock).all(), GpuCatalog.builtIn(), precision),
                    new AcceptanceRuns(database, clock).newestFigure(NodeFigures.HPL_MXP_GFLOPS),
                    Optional.of(reliability));
        }
    }
}
