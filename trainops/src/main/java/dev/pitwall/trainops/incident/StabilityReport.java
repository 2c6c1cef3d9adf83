package dev.pitwall.trainops.incident;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.acceptance.campaign.Trend;
import dev.pitwall.core.report.Document;
import dev.pitwall.core.storage.Database;
import dev.pitwall.trainops.signal.SignalStore;
import dev.pitwall.trainops.signal.StoredSignal;
import dev.pitwall.trainops.telemetry.UtilizationStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How a long training run held up, from what Pitwall recorded while it ran: its incidents and the
 * hours free of them (the longest stretch too), how often training was restarted, and the link
 * flaps, thermal events and out-of-memory kills on its nodes. With a target for the longest
 * incident-free stretch it passes or fails.
 *
 * @param restarts          incidents after which training ran again (mitigated)
 * @param longestFreeHours  the longest stretch of the period outside any incident
 * @param memoryGrowth      how the GPU memory the job's processes held moved over the run, in words
 * @param memoryGrowthMibPerHour its Theil-Sen slope per allocated GPU; null under {@link #MIN_MEMORY_HOURS} hours
 * @param targetFreeHours   the longest incident-free stretch the run must show; null for none
 * @param verdict           PASS or FAIL against the target; null without one
 */
public record StabilityReport(@JsonProperty("from") Instant from, @JsonProperty("to") Instant to,
                              @JsonProperty("job") String job, @JsonProperty("hours") double hours,
                              @JsonProperty("nodes") Set<String> nodes, @JsonProperty("incidents") int incidents,
                              @JsonProperty("restarts") int restarts,
                              @JsonProperty("incident_free_hours") double incidentFreeHours,
                              @JsonProperty("longest_incident_free_hours") double longestFreeHours,
                              @JsonProperty("link_flaps") Events linkFlaps,
                              @JsonProperty("thermal_events") Events thermalEvents,
                              @JsonProperty("out_of_memory_kills") Events outOfMemory,
                              @JsonProperty("memory_growth") String memoryGrowth,
                              @JsonProperty("memory_growth_mib_per_hour") Double memoryGrowthMibPerHour,
                              @JsonProperty("target_incident_free_hours") Double targetFreeHours,
                              @JsonProperty("verdict") String verdict,
                              @JsonProperty("incident_list") List<Incident> incidentList) {

    /** Link-down lines, bursts counted by their lines. */
    public static final Set<String> LINK_RULES = Set.of("ib-link-down");
    /** Thermal slowdowns and throttling, from kernel lines and from DCGM's clock event reasons. */
    public static final Set<String> THERMAL_RULES = Set.of("gpu-thermal-slowdown", "gpu-thermal-throttle");
    public static final Set<String> OOM_RULES = Set.of("host-oom", "cuda-oom");
    /** Every rule whose signals the report counts: the signals to give {@link #of}. */
    public static final Set<String> RULES = Stream.of(LINK_RULES, THERMAL_RULES, OOM_RULES).flatMap(Set::stream)
            .collect(Collectors.toUnmodifiableSet());
    /** Hours of memory readings below which there is no trend to tell. */
    public static final int MIN_MEMORY_HOURS = 3;
    /** A rise in memory counts when Mann-Kendall says so below this p-value. */
    static final double MEMORY_P = 0.01;

    /** Events of one kind on the run's nodes: how many, and on which nodes. */
    public record Events(@JsonProperty("total") int total, @JsonProperty("by_node") Map<String, Integer> byNode) {

        static Events of(List<StoredSignal> signals, Set<String> nodes) {
            Map<String, Integer> byNode = new TreeMap<>();
            int total = 0;
            for (StoredSignal s : signals) {
                if (nodes.isEmpty() || nodes.contains(s.node())) {
                    int count = count(s);
                    byNode.merge(s.node(), count, Integer::sum);
                    total += count;
                }
            }
            return new Events(total, byNode);
        }

        /** A burst signal stands for its lines. */
        private static int count(StoredSignal s) {
            try {
                return Math.max(1, Integer.parseInt(s.signal().fields().getOrDefault("count", "1")));
            } catch (NumberFormatException e) {
                return 1;
            }
        }
    }

    /**
     * The report of [from, to) from a store: its incidents, the signals of {@link #RULES}, the GPU memory on
     * the run's nodes (those given, those {@code job}'s lines came from, and its incidents').
     *
     * @param nodes the nodes the run was launched on; empty when not known
     */
    public static StabilityReport read(Database database, Clock clock, Instant from, Instant to, String job,
                                       Set<String> nodes, Double targetFreeHours) {
        SignalStore signals = new SignalStore(database, clock);
        Set<String> onto = new TreeSet<>(nodes);
        if (job != null) {
            onto.addAll(signals.nodesOfJob(job, from, to));
        }
        List<Incident> incidents = Incidents.reading(database, clock).detectedBetween(from, to);
        Set<String> memoryNodes = new TreeSet<>(onto);
        incidents.stream().filter(i -> job != null && job.equals(i.job())).forEach(i -> memoryNodes.addAll(i.nodes()));
        return of(incidents, signals.ofRules(RULES, from, to), onto,
                new UtilizationStore(database).memoryHourly(memoryNodes, from, to), from, to, job, targetFreeHours);
    }

    /**
     * @param incidents the incidents detected in the period (all jobs; {@code job} filters them)
     * @param events    the signals of {@link #RULES} in the period
     * @param jobNodes  the nodes the job ran on (as its log lines named them, or as it was launched on); with no job
 *                  name, the incidents on them count; empty with neither (every node counts)
     */
    public static StabilityReport of(List<Incident> incidents, List<StoredSignal> events, Set<String> jobNodes,
                                     List<UtilizationStore.MemoryHour> memory, Instant from, Instant to, String job,
                                     Double targetFreeHours) {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("the period must end after it starts: " + from + " to " + to);
        }
        // A job by its name; a run of unnamed nodes by those nodes; else every incident.
        List<Incident> own = incidents.stream().filter(i -> job != null ? job.equals(i.job())
                : jobNodes.isEmpty() || i.nodes().stream().anyMatch(jobNodes::contains)).toList();
        Set<String> nodes = new HashSet<>(jobNodes);
        if (job != null) {
            own.forEach(i -> nodes.addAll(i.nodes()));
        }
        double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
        List<long[]> outages = Reliability.outages(own, from, to);
        long lost = outages.stream().mapToLong(o -> o[1] - o[0]).sum();
        long longest = 0;
        long free = from.toEpochMilli();
        for (long[] o : outages) {
            longest = Math.max(longest, o[0] - free);
            free = o[1];
        }
        longest = Math.max(longest, to.toEpochMilli() - free);
        double longestHours = longest / 3_600_000.0;
        String verdict = targetFreeHours == null ? null : longestHours >= targetFreeHours ? "PASS" : "FAIL";
        return new StabilityReport(from, to, job, hours, new TreeSet<>(nodes), own.size(),
                (int) own.stream().filter(i -> i.mitigatedAt() != null).count(), hours - lost / 3_600_000.0, longestHours,
                Events.of(events.stream().filter(s -> LINK_RULES.contains(s.signal().rule())).toList(), nodes),
                Events.of(events.stream().filter(s -> THERMAL_RULES.contains(s.signal().rule())).toList(), nodes),
                Events.of(events.stream().filter(s -> OOM_RULES.contains(s.signal().rule())).toList(), nodes),
                memoryGrowth(memory), memory.size() < MIN_MEMORY_HOURS ? null : Trend.of(values(memory)).slope(),
                targetFreeHours, verdict, own);
    }

    private static double[] values(List<UtilizationStore.MemoryHour> memory) {
        return memory.stream().mapToDouble(UtilizationStore.MemoryHour::meanMib).toArray();
    }

    /** The allocated GPUs' framebuffer memory hour by hour: rising (a leak, fragmentation) or flat. */
    private static String memoryGrowth(List<UtilizationStore.MemoryHour> memory) {
        if (memory.size() < MIN_MEMORY_HOURS) {
            return "not measured: fewer than " + MIN_MEMORY_HOURS + " hours of dcgm-exporter framebuffer readings "
                    + "(DCGM_FI_DEV_FB_USED) on the job's allocated GPUs";
        }
        Trend t = Trend.of(values(memory));
        String span = String.format(Locale.ROOT, "from %,.0f to %,.0f MiB per GPU over %d hours", memory.getFirst().meanMib(),
                memory.getLast().meanMib(), memory.size());
        return (t.pRising() < MEMORY_P ? String.format(Locale.ROOT, "rising %+.1f MiB an hour (p = %.4f), ", t.slope(),
                t.pRising()) + "a leak or fragmentation: " : "flat: ") + span
                + " (GPU memory; the host processes' memory is not measured)";
    }

    public Document document() {
        List<Document.Fact> facts = new ArrayList<>();
        if (verdict != null) {
            facts.add(new Document.Fact("verdict", verdict + String.format(Locale.ROOT,
                    " (longest incident-free stretch %.1f h, target %.1f h)", longestFreeHours, targetFreeHours)));
        }
        facts.add(new Document.Fact("period", from.truncatedTo(ChronoUnit.SECONDS) + " to "
                + to.truncatedTo(ChronoUnit.SECONDS) + String.format(Locale.ROOT, " (%.1f h)", hours)));
        facts.add(new Document.Fact("job", job == null ? "every job" : job + " on " + nodes.size() + " nodes"));
        facts.add(new Document.Fact("incidents", String.valueOf(incidents)));
        facts.add(new Document.Fact("restarts", restarts + " (incidents after which training ran again)"));
        facts.add(new Document.Fact("incident-free", String.format(Locale.ROOT, "%.1f h of %.1f h (%.1f %%); longest "
                + "stretch %.1f h", incidentFreeHours, hours, 100 * incidentFreeHours / hours, longestFreeHours)));
        facts.add(new Document.Fact("MTBF", incidents == 0 ? "no failure in the period"
                : String.format(Locale.ROOT, "%.1f h", hours / incidents)));
        facts.add(new Document.Fact("link flaps", events(linkFlaps)));
        facts.add(new Document.Fact("thermal events", events(thermalEvents)));
        facts.add(new Document.Fact("out-of-memory kills", events(outOfMemory)));
        facts.add(new Document.Fact("memory growth", memoryGrowth));
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Summary", facts));
        List<Document.Bar> bars = new ArrayList<>();
        linkFlaps.byNode().forEach((n, c) -> bars.add(new Document.Bar(n + " link flaps", c, String.valueOf(c))));
        thermalEvents.byNode().forEach((n, c) -> bars.add(new Document.Bar(n + " thermal", c, String.valueOf(c))));
        if (!bars.isEmpty()) {
            sections.add(new Document.Bars("Events by node", bars));
        }
        if (!incidentList.isEmpty()) {
            sections.add(new Document.Table("Incidents", List.of("#", "detected", "title", "suspected node",
                    "time to recover"), incidentList.stream().map(i -> List.of(String.valueOf(i.id()),
                    i.detectedAt().truncatedTo(ChronoUnit.SECONDS).toString(), i.title(), i.suspectedNode(),
                    i.timeToRecover().map(d -> String.format(Locale.ROOT, "%.1f min", d.toMillis() / 60_000.0))
                            .orElse("not mitigated"))).toList()));
        }
        return new Document("Stability" + (job == null ? "" : ": " + job), "How a long run held up: incidents, the "
                + "hours free of them, restarts, link flaps, thermal events.", sections);
    }

    private static String events(Events e) {
        return e.total() == 0 ? "none" : e.total() + " (" + String.join(", ", e.byNode().entrySet().stream()
                .map(x -> x.getKey() + " " + x.getValue()).toList()) + ")";
    }
}
