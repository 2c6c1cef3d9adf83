package dev.pitwall.trainops.incident;

import dev.pitwall.trainops.signal.StoredSignal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** An incident's symptom signature: the words its knowledge-base matches are searched with, and new entries are found by. */
public final class Symptoms {

    private Symptoms() {
    }

    /** Title, category, the rules that matched, Xid numbers and the meanings of its signals, each once. */
    public static String of(Incident incident, List<StoredSignal> signals) {
        Set<String> parts = new LinkedHashSet<>();
        parts.add(incident.title());
        parts.add(incident.category());
        for (StoredSignal s : signals) {
            parts.add(s.signal().rule());
            String xid = s.signal().fields().get("xid");
            if (xid != null) {
                parts.add("xid " + xid);
            }
            parts.add(s.signal().meaning());
        }
        return String.join(" ", parts);
    }
}
