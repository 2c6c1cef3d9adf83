package dev.pitwall.trainops.drill;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A fault drill: performs a fault on a training job (through whatever the operator gives: a
 * command, or a URL to POST to) and measures, from Pitwall's own signals alone, how long until
 * Pitwall had the fault on an incident (time to detect: a new incident, or a signal joining one
 * already open) and how long until the job made progress again (time to recover), and about how
 * many steps the job lost. Only signals of the rules that describe the scenario count (a killed
 * rank is not detected by another fault's Xid); a scenario Pitwall has no rules for takes any.
 * Pass or fail against the drill's targets. It reads a running Pitwall's {@code /api/incidents}
 * and {@code /api/jobs}.
 */
public final class FaultDrill {

    /**
     * The rules whose signals show each scenario the simulated cluster performs. Every stop of the
     * job makes its ranks' NCCL watchdogs time out, so that rule counts only for the faults that
     * show no other way (a hung rank, a node gone silent).
     */
    public static final Map<String, List<String>> RULES = Map.of(
            "kill-rank", List.of("torch-elastic-child-failed", "process-killed", "job-killed"),
            "hang-rank", List.of("nccl-watchdog-timeout"),
            "nic-down", List.of("ib-link-down"),
            "node-not-ready", List.of("nccl-watchdog-timeout"),
            "disk-full", List.of("no-space-left"));

    /**
     * @param scenario      the fault, by name (kill-rank, hang-rank, nic-down, node-not-ready, disk-full)
     * @param server        the Pitwall server whose signals measure the drill
     * @param detectWithin  the longest the fault may go without an incident
     * @param recoverWithin the longest from the fault to the job's next step
     * @param timeout       how long the drill waits in all before it gives up
     * @param poll          how often it reads Pitwall's API
     * @param rules         the detection rules whose signals show this fault (empty: any signal)
     */
    public record Settings(String scenario, URI server, Duration detectWithin, Duration recoverWithin, Duration timeout,
                           Duration poll, List<String> rules) {
    }

    /** How a fault is performed; returns what it said (the command's output, the URL's answer). */
    @FunctionalInterface
    public interface Fault {
        String perform() throws IOException, InterruptedException;
    }

    /**
     * What the drill measured.
     *
     * @param incident      the incident Pitwall opened ({@code null}: none in time)
     * @param timeToDetect  from the fault to the incident's detection ({@code null}: not detected)
     * @param timeToRecover from the fault to the job's first step after it ({@code null}: not recovered)
     * @param stepsLost     the steps done before the fault that the job did again ({@code -1}: not known)
     */
    public record Report(String scenario, Instant injectedAt, String performed, Incident incident,
                         Duration timeToDetect, Duration timeToRecover, long stepsLost, Settings settings) {

        public boolean detected() {
            return timeToDetect != null && timeToDetect.compareTo(settings.detectWithin()) <= 0;
        }

        public boolean recovered() {
            return timeToRecover != null && timeToRecover.compareTo(settings.recoverWithin()) <= 0;
        }

        public boolean passed() {
            return detected() && recovered();
        }
    }

    /**
     * The incident the fault went on, as the API gave it.
     *
     * @param opened   the fault opened it (else it joined one already open)
     * @param seenAt   when the fault's first signal of the drill's rules came
     * @param rule     that signal's rule
     */
    public record Incident(long id, String title, String category, String suspectedNode, Instant detectedAt,
                           boolean opened, Instant seenAt, String rule) {
    }

    private final Settings settings;
    private final HttpClient http;
    private final Clock clock;

    public FaultDrill(Settings settings, HttpClient http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    /**
     * Performs the fault and watches Pitwall until the job recovers or the timeout passes.
     *
     * @throws IOException when Pitwall's API cannot be read, or the fault could not be performed
     */
    public Report run(Fault fault) throws IOException, InterruptedException {
        Set<Long> known = new HashSet<>();
        for (JsonNode incident : get("/api/incidents?limit=200")) {
            known.add(incident.path("id").asLong());
        }
        long before = -1;
        for (JsonNode job : get("/api/jobs")) {
            before = Math.max(before, job.path("lastIteration").asLong(-1));
        }
        Instant injected = clock.instant();
        String performed = fault.perform();
        Instant until = injected.plus(settings.timeout());
        Incident incident = null;
        Map<Long, String> read = new HashMap<>();
        Instant resumedAt = null;
        long resumedAtIteration = -1;
        while (clock.instant().isBefore(until) && resumedAt == null) {
            if (incident == null) {
                incident = newIncident(known, injected, read).orElse(null);
            }
            if (incident != null) {
                for (JsonNode job : get("/api/jobs")) {
                    Instant step = job.hasNonNull("lastStepAt") ? Instant.parse(job.path("lastStepAt").asText()) : null;
                    if (step != null && step.isAfter(injected) && step.isAfter(incident.seenAt())) {
                        resumedAt = step;
                        resumedAtIteration = job.path("lastIteration").asLong();
                        break;
                    }
                }
            }
            if (resumedAt == null) {
                Thread.sleep(settings.poll().toMillis());
            }
        }
        Duration detect = incident == null ? null : Duration.between(injected, incident.seenAt());
        Duration recover = resumedAt == null ? null : Duration.between(injected, resumedAt);
        // The job resumed from a checkpoint at or before the fault: what it did past it, it does again.
        long lost = before < 0 || resumedAtIteration < 0 ? -1 : Math.max(0, before + 1 - resumedAtIteration);
        return new Report(settings.scenario(), injected, performed, incident, detect, recover, lost, settings);
    }

    /**
     * The incident the fault's signals went on: of the incidents opened or given a signal since
     * the fault, the one with the earliest signal of the drill's rules seen since. A timeline is read
     * again only when its incident had a signal since it was last read ({@code read}: id → last signal).
     */
    private Optional<Incident> newIncident(Set<Long> known, Instant injected, Map<Long, String> read)
            throws IOException, InterruptedException {
        Incident first = null;
        // Pitwall's times are its server's: the drill's host and the server must keep one time (NTP).
        Instant since = injected;
        for (JsonNode i : get("/api/incidents?limit=50")) {
            if (Instant.parse(i.path("lastSignalAt").asText(i.path("detectedAt").asText())).isBefore(since)) {
                continue;
            }
            long id = i.path("id").asLong();
            String lastSignal = i.path("lastSignalAt").asText();
            if (lastSignal.equals(read.put(id, lastSignal))) {
                continue;
            }
            JsonNode detail = getObject("/api/incidents/" + id + "?limit=500");
            for (JsonNode entry : detail.path("timeline")) {
                // A timeline groups a line that shows again (NCCL's sequence numbers restart with the job):
                // one that first showed before the fault counts from its last showing, if that is after.
                Instant at = Instant.parse(entry.path("at").asText());
                if (at.isBefore(since) && entry.hasNonNull("lastAt")) {
                    at = Instant.parse(entry.path("lastAt").asText());
                }
                boolean counts = entry.path("kind").asText().equals("signal") && !at.isBefore(since)
                        && (settings.rules().isEmpty() || settings.rules().contains(entry.path("what").asText()));
                if (counts && (first == null || at.isBefore(first.seenAt()))) {
                    first = new Incident(id, i.path("title").asText(), i.path("category").asText(),
                            i.path("suspectedNode").asText(""), Instant.parse(i.path("detectedAt").asText()),
                            !known.contains(id), at, entry.path("what").asText());
                }
            }
        }
        return Optional.ofNullable(first);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        JsonNode body = getObject(path);
        if (!body.isArray()) {
            throw new IOException("GET " + settings.server().resolve(path) + " did not answer a JSON array");
        }
        return body;
    }

    private JsonNode getObject(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(settings.server().resolve(path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + settings.server().resolve(path) + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return Json.mapper().readTree(response.body());
    }
}
