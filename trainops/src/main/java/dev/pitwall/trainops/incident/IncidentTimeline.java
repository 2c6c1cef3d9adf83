package dev.pitwall.trainops.incident;

import dev.pitwall.trainops.signal.StoredSignal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What happened in an incident, in time order: its signals as they showed on their nodes, and each lifecycle step. */
public final class IncidentTimeline {

    private IncidentTimeline() {
    }

    /**
     * @param kind   "signal" or "lifecycle"
     * @param what   the rule that matched, or the step (detected, acknowledged, mitigated, resolved)
     * @param detail the line, or nothing for a step
     */
    public record Entry(Instant at, String kind, String what, String node, String severity, String detail) {
    }

    public static List<Entry> of(Incident incident, List<StoredSignal> signals) {
        List<Entry> entries = new ArrayList<>();
        for (StoredSignal s : signals) {
            entries.add(new Entry(s.seenAt(), "signal", s.signal().rule(), s.node(), s.signal().severity().name(),
                    s.signal().text()));
        }
        step(entries, incident.detectedAt(), "detected", incident);
        step(entries, incident.acknowledgedAt(), "acknowledged", incident);
        step(entries, incident.mitigatedAt(), "mitigated", incident);
        step(entries, incident.resolvedAt(), "resolved", incident);
        // Stable: a signal and a step at the same instant keep signal-first order.
        entries.sort(Comparator.comparing(Entry::at));
        return entries;
    }

    private static void step(List<Entry> entries, Instant at, String what, Incident incident) {
        if (at != null) {
            entries.add(new Entry(at, "lifecycle", what, incident.suspectedNode(), null, ""));
        }
    }
}
