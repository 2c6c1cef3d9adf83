package dev.pitwall.planner.advise;

import dev.pitwall.core.report.Document;
import java.util.List;

/** Lays out tuning advice, largest expected gain first. */
public final class AdviceReport {

    private AdviceReport() {
    }

    public static Document of(List<TuningAdvisor.Advice> advice, String inputs) {
        Document.Section body = advice.isEmpty()
                ? new Document.Note("Advice", "Nothing to change: no input shows a loss worth a change.")
                : new Document.Table("Advice", List.of("area", "advice", "evidence", "expected gain"), advice.stream()
                .map(a -> List.of(a.area(), a.advice(), a.evidence(), a.expectedGain())).toList());
        return new Document("Tuning advice", "From " + inputs + ".", List.of(body));
    }
}
