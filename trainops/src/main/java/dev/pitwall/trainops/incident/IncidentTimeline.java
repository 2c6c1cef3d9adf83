package dev.pitwall.trainops.incident;

import dev.pitwall.trainops.signal.StoredSignal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened in an incident, in time order: its signals as they showed on their nodes, and each
 * lifecycle step. A signal repeated on its node (the same rule, severity and line, as a flapping link
 * or a rank's repeated timeout writes it) is one entry with its count and its first and last time.
 */
public final class IncidentTimeline {

    private IncidentTimeline() {
    }

    /**
     * @param at     when it first showed
     * @param lastAt when it last showed (the same as {@code at} for a single one)
     * @param count  how many times it showed
     * @param kind   "signal" or "lifecycle"
     * @param what   the rule that matched, or the step (detected, acknowledged, mitigated, resolved)
     * @param detail the line, or nothing for a step
     */
    public record Entry(Instant at, Instant lastAt, int count, String kind, String what, String node, String severity,
                        String detail) {

        Entry again(Entry next) {
            return new Entry(at.isBefore(next.at) ? at : next.at, lastAt.isAfter(next.lastAt) ? lastAt : next.lastAt,
                    count + next.count, kind, what, node, severity, detail);
        }
    }

    /** One page of a timeline: its entries from {@code offset}, and how many there are in all. */
    public record Page(List<Entry> entries, int offset, int total) {
    }

    public static List<Entry> of(Incident incident, List<StoredSignal> signals) {
        Map<List<String>, Entry> grouped = new LinkedHashMap<>();
        for (StoredSignal s : signals) {
            List<String> key = List.of(s.signal().rule(), s.node(), s.signal().severity().name(), s.signal().text());
            // A burst's one signal counts its repeats (a flapping link's downs).
            String repeats = s.signal().fields().getOrDefault("count", "1");
            int count = repeats.matches("\\d{1,9}") ? Integer.parseInt(repeats) : 1;
            grouped.merge(key, new Entry(s.seenAt(), s.seenAt(), count, "signal", s.signal().rule(), s.node(),
                    s.signal().severity().name(), s.signal().text()), Entry::again);
        }
        List<Entry> entries = new ArrayList<>(grouped.values());
        step(entries, incident.detectedAt(), "detected", incident);
        step(entries, incident.acknowledgedAt(), "acknowledged", incident);
        step(entries, incident.mitigatedAt(), "mitigated", incident);
        step(entries, incident.resolvedAt(), "resolved", incident);
        // Stable: a signal and a step at the same instant keep signal-first order.
        entries.sort(Comparator.comparing(Entry::at));
        return entries;
    }

    /** Entries {@code offset} to {@code offset + limit} of {@code timeline}. */
    public static Page page(List<Entry> timeline, int offset, int limit) {
        int from = Math.min(Math.max(offset, 0), timeline.size());
        int to = Math.min(from + Math.max(limit, 0), timeline.size());
        return new Page(List.copyOf(timeline.subList(from, to)), from, timeline.size());
    }

    private static void step(List<Entry> entries, Instant at, String what, Incident incident) {
        if (at != null) {
            entries.add(new Entry(at, at, 1, "lifecycle", what, incident.suspectedNode(), null, ""));
        }
    }
}
