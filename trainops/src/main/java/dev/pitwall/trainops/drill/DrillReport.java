package dev.pitwall.trainops.drill;

import dev.pitwall.core.report.Document;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A drill's report: what was done, what Pitwall saw, against which targets; text, Markdown or HTML with a chart. */
public final class DrillReport {

    private DrillReport() {
    }

    public static Document document(DrillResult r) {
        List<Document.Section> sections = new ArrayList<>();
        sections.add(new Document.Facts("Verdict", List.of(
                new Document.Fact("Verdict", r.verdict()),
                new Document.Fact("Scenario", r.scenario()),
                new Document.Fact("Fault performed", r.injectedAt().toString()),
                new Document.Fact("Rules that count", r.rules().isEmpty() ? "any signal" : String.join(", ", r.rules())))));
        sections.add(new Document.Table("Measured", List.of("", "measured", "target", ""), List.of(
                List.of("time to detect", seconds(r.timeToDetect()), "≤ " + seconds(r.detectWithinSeconds()),
                        mark(r.timeToDetectSeconds(), r.detectWithinSeconds())),
                List.of("time to recover", seconds(r.timeToRecover()), "≤ " + seconds(r.recoverWithinSeconds()),
                        mark(r.timeToRecoverSeconds(), r.recoverWithinSeconds())),
                List.of("steps lost", r.stepsLost() == null ? "not known" : "about " + r.stepsLost(), "", ""))));
        List<Document.Bar> bars = new ArrayList<>();
        bars.add(new Document.Bar("detect target", r.detectWithinSeconds(), seconds(r.detectWithinSeconds())));
        r.timeToDetect().ifPresent(d -> bars.add(new Document.Bar("detected", r.timeToDetectSeconds(),
                seconds(r.timeToDetectSeconds()))));
        bars.add(new Document.Bar("recover target", r.recoverWithinSeconds(), seconds(r.recoverWithinSeconds())));
        r.timeToRecover().ifPresent(d -> bars.add(new Document.Bar("recovered", r.timeToRecoverSeconds(),
                seconds(r.timeToRecoverSeconds()))));
        sections.add(new Document.Bars("From the fault, in seconds", bars));
        FaultDrill.Incident i = r.incident();
        if (i != null) {
            sections.add(new Document.Note("What Pitwall saw", "Seen by rule " + i.rule() + " at " + i.seenAt()
                    + ", on incident " + i.id() + ": " + i.title() + " (" + i.category()
                    + (i.suspectedNode().isEmpty() ? "" : ", suspected node " + i.suspectedNode()) + "), "
                    + (i.opened() ? "which the fault opened." : "open since " + i.detectedAt()
                    + ", which the fault's signals joined.")));
        } else {
            sections.add(new Document.Note("What Pitwall saw", "No signal" + (r.rules().isEmpty() ? ""
                    : " of " + String.join(", ", r.rules())) + " reached an incident within "
                    + seconds(r.timeoutSeconds()) + ": check that the node agents ship this job's logs and that a rule "
                    + "matches the fault."));
        }
        if (!r.performed().isBlank()) {
            sections.add(new Document.Note("The fault said", r.performed().strip()));
        }
        return new Document("Fault drill: " + r.scenario(), "Time to detect and to recover, measured from Pitwall's own "
                + "signals.", sections);
    }

    private static String mark(Double measured, double target) {
        return measured != null && measured <= target ? "met" : "missed";
    }

    private static String seconds(Optional<Duration> d) {
        return d.map(x -> seconds(x.toMillis() / 1000.0)).orElse("not reached");
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1f s", s);
    }
}
