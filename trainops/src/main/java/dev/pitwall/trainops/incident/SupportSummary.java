package dev.pitwall.trainops.incident;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.acceptance.campaign.Trend;
import dev.pitwall.core.report.Document;
import dev.pitwall.trainops.knowledge.KnowledgeEntry;
import dev.pitwall.trainops.signal.Signal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What training support did over a period, for one job or all: incidents by failure mode with
 * their time to recover and what their rules say to do, whether time to recover is falling
 * (Mann-Kendall over the incidents in order), the knowledge entries written, and recommendations
 * drawn from all of it.
 *
 * @param job        the job summarised; null for every job
 * @param bucket     "day" or "week", the step of {@code byBucket}
 * @param mttrTrend  "falling", "rising" or "no clear trend" (p below {@link #TREND_P} one way), or "too few
 *                   incidents" under three with a time to recover
 */
public record SupportSummary(@JsonProperty("from") Instant from, @JsonProperty("to") Instant to,
                             @JsonProperty("job") String job, @JsonProperty("incidents") int incidents,
                             @JsonProperty("mitigated") int mitigated, @JsonProperty("resolved") int resolved,
                             @JsonProperty("time_to_recover") Reliability.Distribution timeToRecover,
                             @JsonProperty("time_to_detect") Reliability.Distribution timeToDetect,
                             @JsonProperty("failure_modes") List<Mode> modes, @JsonProperty("bucket") String bucket,
                             @JsonProperty("by_bucket") List<Bucket> byBucket,
                             @JsonProperty("mttr_trend") String mttrTrend,
                             @JsonProperty("mttr_trend_p") Double mttrTrendP,
                             @JsonProperty("knowledge_added") List<KnowledgeEntry> knowledgeAdded,
                             @JsonProperty("recommendations") List<String> recommendations) {

    /** A trend in time to recover counts below this one-sided p-value. */
    public static final double TREND_P = 0.05;
    /** A node that was the suspect of this many incidents is named. */
    static final int REPEAT_SUSPECT = 2;

    /**
     * @param mttrMinutes mean time to recover of its mitigated incidents; null when none is
     * @param action      what its incidents' rules say to do most often; empty when they say nothing
     */
    public record Mode(@JsonProperty("mode") String mode, @JsonProperty("incidents") int incidents,
                       @JsonProperty("pct") double pct, @JsonProperty("mttr_minutes") Double mttrMinutes,
                       @JsonProperty("suspected_nodes") Map<String, Integer> suspectedNodes,
                       @JsonProperty("action") String action) {
    }

    public record Bucket(@JsonProperty("start") Instant start, @JsonProperty("incidents") int incidents,
                         @JsonProperty("mttr_minutes") Double mttrMinutes) {
    }

    /**
     * @param incidents the incidents detected in the period (all jobs; {@code job} filters them)
     * @param signals   each incident's signals, by incident id
     * @param knowledge every knowledge entry; those written or updated in the period, not the shipped ones, count
     */
    public static SupportSummary of(List<Incident> incidents, Map<Long, List<Signal>> signals,
                                    List<KnowledgeEntry> knowledge, Instant from, Instant to, String job) {
        List<Incident> own = incidents.stream().filter(i -> job == null || job.equals(i.job()))
                .sorted(Comparator.comparing(Incident::detectedAt)).toList();
        Map<String, List<Incident>> byMode = own.stream().collect(Collectors.groupingBy(Incident::category,
                TreeMap::new, Collectors.toList()));
        List<Mode> modes = new ArrayList<>();
        byMode.forEach((mode, list) -> {
            Map<String, Integer> suspects = new TreeMap<>();
            list.forEach(i -> suspects.merge(i.suspectedNode(), 1, Integer::sum));
            modes.add(new Mode(mode, list.size(), 100.0 * list.size() / own.size(), meanMinutes(list),
                    suspects, mostCommon(list.stream().flatMap(i -> actions(i, signals.getOrDefault(i.id(), List.of()))
                            .stream()).toList())));
        });
        modes.sort(Comparator.comparingInt(Mode::incidents).reversed().thenComparing(Mode::mode));

        boolean weekly = Duration.between(from, to).compareTo(Duration.ofDays(14)) > 0;
        Duration step = weekly ? Duration.ofDays(7) : Duration.ofDays(1);
        List<Bucket> buckets = new ArrayList<>();
        for (Instant start = from; start.isBefore(to); start = start.plus(step)) {
            Instant s = start;
            Instant e = start.plus(step);
            List<Incident> in = own.stream().filter(i -> !i.detectedAt().isBefore(s) && i.detectedAt().isBefore(e)).toList();
            buckets.add(new Bucket(s, in.size(), meanMinutes(in)));
        }

        double[] recoveries = own.stream().flatMap(i -> i.timeToRecover().stream())
                .mapToDouble(d -> d.toMillis() / 60_000.0).toArray();
        String trend;
        Double trendP = null;
        if (recoveries.length < 3) {
            trend = "too few incidents";
        } else {
            Trend t = Trend.of(recoveries);
            trendP = Math.min(t.pFalling(), t.pRising());
            trend = t.pFalling() < TREND_P ? "falling" : t.pRising() < TREND_P ? "rising" : "no clear trend";
        }

        List<KnowledgeEntry> added = knowledge.stream().filter(k -> !"seed".equals(k.origin())
                && !k.updatedAt().isBefore(from) && k.updatedAt().isBefore(to)).toList();
        int mitigated = (int) own.stream().filter(i -> i.mitigatedAt() != null).count();
        int resolved = (int) own.stream().filter(i -> i.state() == Incident.State.RESOLVED).count();
        return new SupportSummary(from, to, job, own.size(), mitigated, resolved,
                Reliability.Distribution.of(own.stream().flatMap(i -> i.timeToRecover().stream()).toList()),
                Reliability.Distribution.of(own.stream().flatMap(i -> i.timeToDetect().stream()).toList()),
                modes, weekly ? "week" : "day", buckets, trend, trendP, added,
                recommendations(own, modes, knowledge, trend, trendP));
    }

    private static List<String> recommendations(List<Incident> own, List<Mode> modes, List<KnowledgeEntry> knowledge,
                                                String trend, Double trendP) {
        List<String> out = new ArrayList<>();
        for (Mode m : modes.subList(0, Math.min(3, modes.size()))) {
            if (!m.action().isEmpty()) {
                out.add(String.format(Locale.ROOT, "%s (%d incident%s, %.0f %%): %s", m.mode(), m.incidents(),
                        m.incidents() == 1 ? "" : "s", m.pct(), m.action()));
            }
        }
        Map<String, List<Incident>> bySuspect = own.stream().collect(Collectors.groupingBy(Incident::suspectedNode,
                TreeMap::new, Collectors.toList()));
        bySuspect.forEach((node, list) -> {
            if (list.size() >= REPEAT_SUSPECT && !node.isBlank()) {
                out.add(node + " was the suspected node of " + list.size() + " incidents (" + list.stream()
                        .map(Incident::category).distinct().collect(Collectors.joining(", ")) + "): take it out of "
                        + "service and burn it in (pitwall check campaign --plan burn-in --nodes " + node
                        + ") before it takes work again.");
            }
        });
        long unmitigated = own.stream().filter(i -> i.mitigatedAt() == null).count();
        if (unmitigated > 0) {
            out.add(unmitigated + " incident" + (unmitigated == 1 ? " has" : "s have") + " no mitigation time, so time "
                    + "to recover leaves " + (unmitigated == 1 ? "it" : "them") + " out: mark each mitigated when "
                    + "training runs again.");
        }
        Set<String> withEntries = new HashSet<>();
        knowledge.forEach(k -> withEntries.add(k.origin()));
        long unwritten = own.stream().filter(i -> i.state() == Incident.State.RESOLVED
                && !withEntries.contains("incident " + i.id())).count();
        if (unwritten > 0) {
            out.add(unwritten + " resolved incident" + (unwritten == 1 ? "" : "s") + " left no knowledge entry: resolve "
                    + "with what the fix was ({\"knowledge\":{…}}) so that the next one is found with its fix.");
        }
        if (trend.equals("rising")) {
            out.add(String.format(Locale.ROOT, "Time to recover is rising (p = %.3f): look at the latest incidents' "
                    + "timelines for the step that takes longer (acknowledging, finding the node, restarting).", trendP));
        }
        return out;
    }

    private static Double meanMinutes(List<Incident> incidents) {
        double[] m = incidents.stream().flatMap(i -> i.timeToRecover().stream()).mapToDouble(d -> d.toMillis() / 60_000.0)
                .toArray();
        return m.length == 0 ? null : Arrays.stream(m).average().orElseThrow();
    }

    /**
     * What an incident's rules say to do: those of its own failure mode's signals (an Xid's, not the
     * watchdog timeouts every rank writes after it), else any of its signals'.
     */
    private static List<String> actions(Incident incident, List<Signal> signals) {
        List<String> own = signals.stream().filter(s -> incident.category().equals(s.category())).map(Signal::action)
                .filter(a -> a != null && !a.isBlank()).toList();
        return !own.isEmpty() ? own : signals.stream().map(Signal::action).filter(a -> a != null && !a.isBlank()).toList();
    }

    private static String mostCommon(List<String> values) {
        return values.stream().collect(Collectors.groupingBy(Function.identity(), LinkedHashMap::new,
                        Collectors.counting())).entrySet().stream()
                .max(Map.Entry.<String, Long>comparingByValue()).map(Map.Entry::getKey).orElse("");
    }

    public Document document() {
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Summary", List.of(
                new Document.Fact("period", from.truncatedTo(ChronoUnit.SECONDS) + " to " + to.truncatedTo(ChronoUnit.SECONDS)),
                new Document.Fact("job", job == null ? "every job" : job),
                new Document.Fact("incidents", incidents + " (" + mitigated + " mitigated, " + resolved + " resolved)"),
                new Document.Fact("time to recover", minutes(timeToRecover)),
                new Document.Fact("time to detect", timeToDetect.count() == 0 ? "not measured"
                        : String.format(Locale.ROOT, "mean %.1f s, p90 %.1f s", timeToDetect.meanSeconds(),
                        timeToDetect.p90Seconds())),
                new Document.Fact("time to recover, trend", mttrTrend + (mttrTrendP == null ? ""
                        : String.format(Locale.ROOT, " (p = %.3f)", mttrTrendP))),
                new Document.Fact("knowledge entries written", String.valueOf(knowledgeAdded.size())))));
        if (!modes.isEmpty()) {
            sections.add(new Document.Table("Incidents by failure mode", List.of("mode", "incidents", "share", "MTTR",
                    "suspected nodes", "what to do"), modes.stream().map(m -> List.of(m.mode(),
                    String.valueOf(m.incidents()), String.format(Locale.ROOT, "%.0f %%", m.pct()),
                    m.mttrMinutes() == null ? "not measured" : String.format(Locale.ROOT, "%.1f min", m.mttrMinutes()),
                    m.suspectedNodes().entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                            .limit(3).map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", ")),
                    m.action())).toList()));
        }
        List<Bucket> measured = byBucket.stream().filter(b -> b.mttrMinutes() != null).toList();
        if (measured.size() >= 2) {
            double[] x = measured.stream().mapToDouble(b -> Duration.between(from, b.start()).toHours() / 24.0).toArray();
            double[] y = measured.stream().mapToDouble(Bucket::mttrMinutes).toArray();
            sections.add(new Document.Lines("Time to recover by " + bucket, "days into the period", "minutes",
                    List.of(new Document.Series("mean time to recover", "#3b6fd6", x, y)), null));
        }
        sections.add(new Document.Table("Incidents by " + bucket, List.of(bucket, "incidents", "MTTR"), byBucket.stream()
                .map(b -> List.of(b.start().truncatedTo(ChronoUnit.SECONDS).toString(), String.valueOf(b.incidents()),
                        b.mttrMinutes() == null ? "" : String.format(Locale.ROOT, "%.1f min", b.mttrMinutes()))).toList()));
        if (!knowledgeAdded.isEmpty()) {
            sections.add(new Document.Table("Knowledge entries written", List.of("#", "title", "from", "updated"),
                    knowledgeAdded.stream().map(k -> List.of(String.valueOf(k.id()), k.title(), k.origin(),
                            k.updatedAt().truncatedTo(ChronoUnit.SECONDS).toString())).toList()));
        }
        if (recommendations.isEmpty()) {
            sections.add(new Document.Note("Recommendations", "Nothing to recommend: every incident is mitigated, each "
                    + "resolved one left its knowledge, no node failed twice and time to recover is not rising."));
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < recommendations.size(); i++) {
                rows.add(List.of(String.valueOf(i + 1), recommendations.get(i)));
            }
            sections.add(new Document.Table("Recommendations", List.of("#", "recommendation"), rows));
        }
        return new Document("Training support" + (job == null ? "" : ": " + job), "Incidents by failure mode, how time "
                + "to recover moved, the knowledge written and what to do next.", sections);
    }

    private static String minutes(Reliability.Distribution d) {
        return d.count() == 0 ? "not measured (no incident mitigated)" : String.format(Locale.ROOT,
                "mean %.1f min, p50 %.1f min, p90 %.1f min (%d incidents)", d.meanSeconds() / 60, d.p50Seconds() / 60,
                d.p90Seconds() / 60, d.count());
    }
}
