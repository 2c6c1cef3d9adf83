package dev.pitwall.trainops.ingest;

import dev.pitwall.core.config.DurationText;
import dev.pitwall.trainops.detect.DetectionRule;
import dev.pitwall.trainops.signal.Signal;
import dev.pitwall.trainops.signal.SignalStore;
import dev.pitwall.trainops.signal.StoredSignal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Repeats of a rule with a burst (a flapping link's "Link down" lines) folded into one signal per
 * node: the burst's first signal is stored, later ones within the burst's window only count on
 * it, and at the burst's count it takes the burst's severity and meaning. The first is looked up
 * in the store, so a burst spread over several pushes, or over replicas, is still one signal.
 */
final class Bursts {

    /** What a batch leaves to do: signals to store, and stored ones that became serious enough to correlate again. */
    record Folded(List<StoredSignal> toStore, List<StoredSignal> escalated) {
    }

    /** A burst met in this batch: its first signal (stored already, or to store) and how many it counts. */
    private static final class Open {
        final Instant first;
        StoredSignal signal;
        final int index;
        int count;

        Open(Instant first, StoredSignal signal, int index, int count) {
            this.first = first;
            this.signal = signal;
            this.index = index;
            this.count = count;
        }
    }

    /** The count a revised signal's meaning ends with, replaced at each revision. */
    private static final String COUNTED = " \\(\\d+ times within [^)]+\\)$";

    private final Map<String, DetectionRule.Burst> byRule = new HashMap<>();
    private final SignalStore store;

    Bursts(List<DetectionRule> rules, SignalStore store) {
        rules.stream().filter(r -> r.burst() != null).forEach(r -> byRule.put(r.id(), r.burst()));
        this.store = store;
    }

    Folded fold(List<StoredSignal> found, Instant now) {
        List<StoredSignal> toStore = new ArrayList<>();
        Map<String, Open> open = new LinkedHashMap<>();
        // Every burst met, a node's earlier one included when a later one of it starts in this batch.
        List<Open> met = new ArrayList<>();
        for (StoredSignal s : found) {
            DetectionRule.Burst burst = byRule.get(s.signal().rule());
            if (burst == null) {
                toStore.add(s);
                continue;
            }
            Instant seen = s.occurredAt() != null ? s.occurredAt() : now;
            String key = s.node() + "\u0000" + s.signal().rule();
            Open current = open.get(key);
            if (current == null || current.first.plus(burst.within()).isBefore(seen)) {
                Optional<StoredSignal> stored = store.latest(s.node(), s.signal().rule(), seen.minus(burst.within()));
                current = stored.map(first -> new Open(first.seenAt(), first, -1, count(first)))
                        .orElseGet(() -> new Open(seen, s, toStore.size(), 0));
                if (current.index >= 0) {
                    toStore.add(s);
                }
                open.put(key, current);
                met.add(current);
            }
            current.count++;
        }
        List<StoredSignal> escalated = new ArrayList<>();
        for (Open burst : met) {
            DetectionRule.Burst rule = byRule.get(burst.signal.signal().rule());
            Signal counted = counted(burst.signal.signal(), burst.count, rule);
            if (burst.index >= 0) {
                toStore.set(burst.index, new StoredSignal(0, null, burst.signal.occurredAt(), burst.signal.node(),
                        burst.signal.source(), burst.signal.job(), counted));
            } else if (burst.count > count(burst.signal)) {
                boolean wasSerious = burst.signal.signal().severity() == counted.severity();
                boolean inIncident = store.revise(burst.signal.id(), counted);
                if (!wasSerious && !inIncident) {
                    escalated.add(new StoredSignal(burst.signal.id(), burst.signal.receivedAt(), burst.signal.occurredAt(),
                            burst.signal.node(), burst.signal.source(), burst.signal.job(), counted));
                }
            }
        }
        return new Folded(toStore, escalated);
    }

    private static int count(StoredSignal stored) {
        String count = stored.signal().fields().get("count");
        return count != null && count.matches("\\d{1,9}") ? Integer.parseInt(count) : 1;
    }

    /** The burst's first signal counting {@code count} repeats, of the burst's severity from its count on. */
    private static Signal counted(Signal first, int count, DetectionRule.Burst burst) {
        if (count <= 1) {
            return first;
        }
        Map<String, String> fields = new LinkedHashMap<>(first.fields());
        fields.put("count", Integer.toString(count));
        boolean serious = count >= burst.count();
        String within = DurationText.format(burst.within());
        String meaning = (serious ? burst.meaning() : first.meaning()).replaceFirst(COUNTED, "");
        return new Signal(first.rule(), first.category(), serious ? burst.severity() : first.severity(), fields,
                meaning + " (" + count + " times within " + within + ")", first.action(), first.text());
    }
}
