package dev.pitwall.trainops.drill;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A drill's result as it is printed, posted to the server and stored: what was done, what Pitwall
 * saw, and the targets it was judged against. Times in seconds; a time not reached is null.
 *
 * @param rules     the detection rules that counted for the scenario (empty: any signal)
 * @param stepsLost about how many steps the job did again; null when not known
 * @param incident  the incident the fault went on; null when none in time
 */
public record DrillResult(@JsonProperty("scenario") String scenario, @JsonProperty("verdict") String verdict,
                          @JsonProperty("injected_at") Instant injectedAt,
                          @JsonProperty("time_to_detect_seconds") Double timeToDetectSeconds,
                          @JsonProperty("time_to_recover_seconds") Double timeToRecoverSeconds,
                          @JsonProperty("detect_within_seconds") double detectWithinSeconds,
                          @JsonProperty("recover_within_seconds") double recoverWithinSeconds,
                          @JsonProperty("timeout_seconds") double timeoutSeconds,
                          @JsonProperty("steps_lost") Long stepsLost, @JsonProperty("rules") List<String> rules,
                          @JsonProperty("incident") FaultDrill.Incident incident,
                          @JsonProperty("performed") String performed) {

    public static final String PASS = "PASS";
    public static final String FAIL = "FAIL";
    static final int MAX_SCENARIO = 100;

    public DrillResult {
        rules = rules == null ? List.of() : List.copyOf(rules);
        performed = performed == null ? "" : performed;
    }

    public static DrillResult of(FaultDrill.Report r) {
        return new DrillResult(r.scenario(), r.passed() ? PASS : FAIL, r.injectedAt(), seconds(r.timeToDetect()),
                seconds(r.timeToRecover()), seconds(r.settings().detectWithin()), seconds(r.settings().recoverWithin()),
                seconds(r.settings().timeout()), r.stepsLost() < 0 ? null : r.stepsLost(), r.settings().rules(),
                r.incident(), r.performed());
    }

    public boolean passed() {
        return PASS.equals(verdict);
    }

    /** What is wrong with a result posted to the server, each as one line; empty when it can be stored. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (scenario == null || scenario.isBlank() || scenario.length() > MAX_SCENARIO) {
            problems.add("scenario must be a name of 1 to " + MAX_SCENARIO + " characters");
        }
        if (!PASS.equals(verdict) && !FAIL.equals(verdict)) {
            problems.add("verdict must be PASS or FAIL");
        }
        if (injectedAt == null) {
            problems.add("injected_at must be an ISO-8601 time (2026-11-30T10:00:00Z)");
        }
        if (!(detectWithinSeconds > 0) || !(recoverWithinSeconds > 0)) {
            problems.add("detect_within_seconds and recover_within_seconds must be above 0");
        }
        for (Double t : new Double[] {timeToDetectSeconds, timeToRecoverSeconds}) {
            if (t != null && !(t >= 0)) {
                problems.add("time_to_detect_seconds and time_to_recover_seconds must be 0 or more, or null");
                break;
            }
        }
        // A verdict that its own times contradict would put a false PASS on the Reports page.
        if (problems.isEmpty() && passed() != (within(timeToDetectSeconds, detectWithinSeconds)
                && within(timeToRecoverSeconds, recoverWithinSeconds))) {
            problems.add("verdict " + verdict + " does not follow from the times and targets");
        }
        return problems;
    }

    private static boolean within(Double measured, double target) {
        return measured != null && measured <= target;
    }

    public Optional<Duration> timeToDetect() {
        return Optional.ofNullable(timeToDetectSeconds).map(s -> Duration.ofMillis(Math.round(s * 1000)));
    }

    public Optional<Duration> timeToRecover() {
        return Optional.ofNullable(timeToRecoverSeconds).map(s -> Duration.ofMillis(Math.round(s * 1000)));
    }

    private static Double seconds(Duration d) {
        return d == null ? null : d.toMillis() / 1000.0;
    }
}
