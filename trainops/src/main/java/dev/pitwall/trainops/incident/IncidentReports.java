package dev.pitwall.trainops.incident;

import dev.pitwall.core.report.Document;
import dev.pitwall.trainops.knowledge.KnowledgeBase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The reliability report for a period and the report of one incident, as documents. */
public final class IncidentReports {

    /** Time-to-recover buckets for the distribution chart. */
    private static final List<Duration> BUCKETS = List.of(Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofHours(1), Duration.ofHours(4));

    private IncidentReports() {
    }

    public static Document reliability(Reliability r) {
        return reliability(r, true);
    }

    /** @param listIncidents whether to list the incidents too (a page that lists them already leaves them out) */
    public static Document reliability(Reliability r, boolean listIncidents) {
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Summary", List.of(
                new Document.Fact("period", String.format(Locale.ROOT, "%s to %s (%.1f days)",
                        r.from().truncatedTo(ChronoUnit.SECONDS), r.to().truncatedTo(ChronoUnit.SECONDS), r.periodDays())),
                new Document.Fact("nodes", r.nodes() + " (" + String.format(Locale.ROOT, "%.1f", r.nodeDays())
                        + " node-days observed)"),
                new Document.Fact("failures", String.valueOf(r.failures())),
                new Document.Fact("MTBF, cluster", rate(r, hours(r.mtbfHours()))),
                new Document.Fact("MTBF, per node", rate(r, hours(r.mtbfHoursPerNode()))),
                new Document.Fact("failures per 1,000 node-days", rate(r, r.failuresPer1000NodeDays() == null ? ""
                        : String.format(Locale.ROOT, "%.2f", r.failuresPer1000NodeDays()))),
                new Document.Fact("time to detect", distribution(r.timeToDetect())),
                new Document.Fact("time to recover (MTTR = mean)", distribution(r.timeToRecover())),
                new Document.Fact("goodput", String.format(Locale.ROOT, "%.2f%% of the period not lost to incidents", r.goodputPct())),
                new Document.Fact("utilization", r.physicalUtilizationPct() == null
                        ? "not measured: list dcgm-exporter endpoints under telemetry.targets"
                        : String.format(Locale.ROOT, "physical %.1f%% (allocated GPUs over all), logical %.1f%% (activity of "
                        + "the allocated ones)", r.physicalUtilizationPct(), r.logicalUtilizationPct())))));
        if (!r.failureModes().isEmpty()) {
            sections.add(new Document.Bars("Failure modes (Pareto)", r.failureModes().stream()
                    .map(m -> new Document.Bar(m.mode(), m.failures(), String.format(Locale.ROOT, "%d (%.0f%%, cumulative %.0f%%)",
                            m.failures(), m.pct(), m.cumulativePct()))).toList()));
            sections.add(new Document.Bars("Time to recover", recoverBuckets(r.incidents())));
            sections.add(new Document.Table("Nodes with failures", List.of("node", "failures", "MTBF"), r.byNode().stream()
                    .map(n -> List.of(n.node(), String.valueOf(n.failures()), rate(r, hours(n.mtbfHours())))).toList()));
            if (listIncidents) {
                sections.add(new Document.Table("Incidents", List.of("#", "detected", "title", "suspected node", "state",
                        "time to detect", "time to recover"), r.incidents().stream().map(i -> List.of(String.valueOf(i.id()),
                        i.detectedAt().toString(), i.title(), i.suspectedNode(), i.state().name().toLowerCase(Locale.ROOT),
                        i.timeToDetect().map(IncidentReports::duration).orElse("-"),
                        i.timeToRecover().map(IncidentReports::duration).orElse("not yet"))).toList()));
            }
        } else {
            sections.add(new Document.Note("No incidents", "No incident was detected in this period."));
        }
        return new Document("Reliability report", r.failures() + " incidents over " + String.format(Locale.ROOT, "%.1f",
                r.periodDays()) + " days on " + r.nodes() + " nodes", sections);
    }

    public static Document incident(Incident i, List<IncidentTimeline.Entry> timeline, List<KnowledgeBase.Match> knowledge) {
        List<Document.Fact> facts = new ArrayList<>(List.of(
                new Document.Fact("state", i.state().name().toLowerCase(Locale.ROOT)),
                new Document.Fact("category", i.category() + " (" + i.severity().toLowerCase(Locale.ROOT) + ")"),
                new Document.Fact("suspected node", i.suspectedNode()),
                new Document.Fact("nodes", String.join(", ", i.nodes())),
                new Document.Fact("signals", String.valueOf(i.signals()))));
        if (i.startedAt() != null) {
            facts.add(new Document.Fact("started", i.startedAt().toString()));
        }
        facts.add(new Document.Fact("detected", i.detectedAt().toString()));
        step(facts, "acknowledged", i.acknowledgedAt());
        step(facts, "mitigated", i.mitigatedAt());
        step(facts, "resolved", i.resolvedAt());
        facts.add(new Document.Fact("time to detect", i.timeToDetect().map(IncidentReports::duration).orElse("unknown")));
        facts.add(new Document.Fact("time to recover", i.timeToRecover().map(IncidentReports::duration).orElse("not yet")));
        List<Document.Section> sections = new ArrayList<>(List.of(new Document.Facts("Summary", facts),
                new Document.Table("Timeline", List.of("time", "what", "node", "severity", "times", "detail"),
                        timeline.stream().map(e -> List.of(e.at().toString(), e.what(), e.node(),
                                e.severity() == null ? "" : e.severity(), repeats(e), e.detail())).toList())));
        sections.add(knowledge.isEmpty()
                ? new Document.Note("Knowledge base", "No entry matches this incident yet; resolving it can write one.")
                : new Document.Table("Knowledge base: best matches", List.of("score", "entry", "root cause", "fix"),
                knowledge.stream().map(m -> List.of(String.format(Locale.ROOT, "%.2f", m.score()),
                        "#" + m.entry().id() + " " + m.entry().title(), m.entry().rootCause(), m.entry().fix())).toList()));
        return new Document("Incident " + i.id() + ": " + i.title(), "Suspected node " + i.suspectedNode(), sections);
    }

    /** "1", or "12 until 08:04:31Z" for a signal that repeated. */
    private static String repeats(IncidentTimeline.Entry e) {
        return e.count() == 1 ? "1" : e.count() + " until " + e.lastAt();
    }

    private static void step(List<Document.Fact> facts, String name, Instant at) {
        if (at != null) {
            facts.add(new Document.Fact(name, at.toString()));
        }
    }

    private static List<Document.Bar> recoverBuckets(List<Incident> incidents) {
        int[] counts = new int[BUCKETS.size() + 2];
        for (Incident i : incidents) {
            if (i.timeToRecover().isEmpty()) {
                counts[counts.length - 1]++;
                continue;
            }
            int b = 0;
            while (b < BUCKETS.size() && i.timeToRecover().get().compareTo(BUCKETS.get(b)) >= 0) {
                b++;
            }
            counts[b]++;
        }
        List<String> labels = List.of("under 5 min", "5-15 min", "15-60 min", "1-4 h", "4 h and more", "not recovered");
        List<Document.Bar> bars = new ArrayList<>();
        for (int b = 0; b < counts.length; b++) {
            bars.add(new Document.Bar(labels.get(b), counts[b], String.valueOf(counts[b])));
        }
        return bars;
    }

    private static String distribution(Reliability.Distribution d) {
        if (d.count() == 0) {
            return "nothing measured yet";
        }
        return String.format(Locale.ROOT, "mean %s, p50 %s, p90 %s, max %s (%d incidents)", seconds(d.meanSeconds()),
                seconds(d.p50Seconds()), seconds(d.p90Seconds()), seconds(d.maxSeconds()), d.count());
    }

    private static String seconds(double s) {
        return duration(Duration.ofMillis((long) (s * 1000)));
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.1f min", s / 60.0);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    }

    /** A failure rate, or why it is not given: too little node-time observed to say. */
    private static String rate(Reliability r, String figure) {
        return r.enoughData() ? figure : String.format(Locale.ROOT, "not enough data (%.1f node-hours observed, at "
                + "least %d needed)", r.nodeDays() * 24, Reliability.MIN_OBSERVED.toHours());
    }

    private static String hours(Double h) {
        return h == null ? "no failures" : String.format(Locale.ROOT, "%.1f h", h);
    }
}
