package dev.pitwall.server.cli;

import dev.pitwall.core.config.DurationText;
import dev.pitwall.core.report.Document;
import dev.pitwall.trainops.fleet.NodeSightings;
import dev.pitwall.trainops.incident.Incident;
import dev.pitwall.trainops.incident.IncidentReports;
import dev.pitwall.trainops.incident.IncidentTimeline;
import dev.pitwall.trainops.incident.Incidents;
import dev.pitwall.trainops.incident.Reliability;
import dev.pitwall.trainops.incident.Symptoms;
import dev.pitwall.trainops.knowledge.KnowledgeBase;
import dev.pitwall.trainops.signal.SignalStore;
import dev.pitwall.trainops.signal.StoredSignal;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "incidents",
        description = "Reports on the incidents Pitwall recorded.",
        mixinStandardHelpOptions = true)
final class IncidentsCommand extends CommandGroup {

    IncidentsCommand() {
        super(List.of(IncidentsCommand.ReportCommand.class));
    }

    @Command(name = "report",
            description = "The reliability report for a period (MTBF, failures per 1,000 node-days, time to detect and to "
                    + "recover, failure modes, goodput), or with --id one incident's report with its timeline.",
            mixinStandardHelpOptions = true)
    static final class ReportCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--since", defaultValue = "30d", paramLabel = "30d|12h|2026-11-01",
                description = "Start of the period: an age (d, h, m) or a date (default: ${DEFAULT-VALUE}).")
        String since;

        @Option(names = "--id", paramLabel = "N", description = "Report on this one incident instead.")
        Long id;

        @Option(names = "--nodes", paramLabel = "N",
                description = "Nodes in the cluster, for node-days (default: the nodes that sent logs in the period).")
        Integer nodes;

        @Mixin
        StoreOptions store;

        @Option(names = "--format", defaultValue = "text", paramLabel = "text|md|html|json", description = "(default: ${DEFAULT-VALUE})")
        OutputFormat format;

        @Override
        public Integer call() throws Exception {
            Instant now = Clock.systemUTC().instant();
            Instant from;
            try {
                from = start(since, now);
            } catch (IllegalArgumentException e) {
                return PitwallCommand.usageError(spec, e.getMessage());
            }
            return store.readExisting(spec, database -> {
                Incidents incidents = Incidents.reading(database, Clock.systemUTC());
                SignalStore signals = new SignalStore(database, Clock.systemUTC());
                Object json;
                Document document;
                if (id != null) {
                    Optional<Incident> incident = incidents.get(id);
                    if (incident.isEmpty()) {
                        return PitwallCommand.usageError(spec, "no incident " + id);
                    }
                    List<StoredSignal> own = signals.ofIncident(id);
                    List<IncidentTimeline.Entry> timeline = IncidentTimeline.of(incident.get(), own);
                    List<KnowledgeBase.Match> matches;
                    try (KnowledgeBase knowledge = new KnowledgeBase(database, Clock.systemUTC())) {
                        matches = knowledge.search(Symptoms.of(incident.get(), own), 3);
                    }
                    json = Map.of("incident", incident.get(), "timeline", timeline, "knowledge", matches);
                    document = IncidentReports.incident(incident.get(), timeline, matches);
                } else {
                    Reliability reliability = Reliability.of(incidents.detectedBetween(from, now), from, now,
                            new NodeSightings(database).observed(from, now),
                            nodes == null ? OptionalInt.empty() : OptionalInt.of(nodes),
                            new UtilizationStore(database).between(from, now));
                    json = reliability;
                    document = IncidentReports.reliability(reliability);
                }
                format.write(spec.commandLine().getOut(), json, document);
                return 0;
            });
        }

        /** "30d", "12h", "90m" (any duration the configuration takes) before now, or a date (midnight UTC). */
        static Instant start(String text, Instant now) {
            try {
                return LocalDate.parse(text.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                try {
                    return now.minus(DurationText.parse(text));
                } catch (IllegalArgumentException notAnAge) {
                    throw new IllegalArgumentException("--since \"" + text + "\" is neither an age (30d, 12h, 90m) nor a "
                            + "date (2026-11-01)");
                }
            }
        }
    }
}
