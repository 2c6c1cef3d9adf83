package dev.pitwall.gateway.slo;

import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.core.config.DurationText;
import dev.pitwall.gateway.sli.RequestObservation;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One service-level objective of the gateway, from {@code gateway.slos} or the admin API.
 *
 * @param name      lower-case letters, digits and '-': it names the objective's Prometheus rules too
 * @param sli       what a good event is
 * @param objective the percentage of good events promised, such as 99.9
 * @param window    the rolling period the promise covers: 28 or 30 days
 * @param threshold for ttft and latency, the time within which an event is good; none for availability
 * @param model     only requests for this model; empty: every model
 * @param tenant    only this tenant's requests; empty: every tenant
 */
public record SloSpec(String name, SliKind sli, Double objective, Duration window, Duration threshold, String model,
                      String tenant) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?");

    public SloSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigProblem("name", name == null ? "nothing" : "\"" + name + "\"",
                    "a name of lower-case letters, digits and '-', such as chat-availability");
        }
        if (sli == null) {
            throw new ConfigProblem("sli", "nothing", "availability, ttft or latency");
        }
        if (objective == null || !(objective > 0 && objective < 100)) {
            throw new ConfigProblem("objective", objective == null ? "nothing" : objective,
                    "a percentage above 0 and below 100, such as 99.9");
        }
        window = window == null ? Duration.ofDays(30) : window;
        if (AlertWindows.forPeriod(window).isEmpty()) {
            throw new ConfigProblem("window", DurationText.format(window), "28d or 30d (the periods the SRE "
                    + "workbook's burn-rate alerts are tuned for)");
        }
        if (sli.needsThreshold() && threshold == null) {
            throw new ConfigProblem("threshold", "nothing", "a duration such as 2s: a " + sli.label()
                    + " objective counts the requests within it");
        }
        if (!sli.needsThreshold() && threshold != null) {
            throw new ConfigProblem("threshold", DurationText.format(threshold),
                    "no threshold: availability counts failures, not time");
        }
        if (threshold != null) {
            ConfigProblem.positive("threshold", threshold);
        }
        model = model == null ? "" : model;
        tenant = tenant == null ? "" : tenant;
    }

    /** The share of events that may be bad: 0.001 for 99.9 %. */
    public double errorBudget() {
        return (100 - objective) / 100;
    }

    /** The objective as people write it: 99.9, 99, 99.95. */
    public String objectiveText() {
        return new BigDecimal(Double.toString(objective)).stripTrailingZeros().toPlainString();
    }

    public AlertWindows alertWindows() {
        return AlertWindows.forPeriod(window).orElseThrow();
    }

    /** Whether {@code done} was a good event for this objective, or empty when it does not count it. */
    public Optional<Boolean> judge(RequestObservation done) {
        if (!model.isEmpty() && !model.equals(done.model()) || !tenant.isEmpty() && !tenant.equals(done.tenant())) {
            return Optional.empty();
        }
        return sli.judge(done, threshold);
    }
}
