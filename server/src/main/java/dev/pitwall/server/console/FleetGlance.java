package dev.pitwall.server.console;

import dev.pitwall.acceptance.store.AcceptanceRuns;
import dev.pitwall.gateway.routing.Backend;
import dev.pitwall.trainops.incident.Incident;
import java.util.List;
import java.util.Optional;

/**
 * The fleet at a glance, for the overview: incidents not yet resolved, inference backends up and
 * down, and the last acceptance verdict; each card leads to the page with the details.
 *
 * @param openIncidents incidents not resolved, among the newest {@link #INCIDENTS_READ}
 * @param lastRun       the newest stored acceptance run, if any
 */
public record FleetGlance(int openIncidents, int criticalOpen, int backendsUp, int backendsDown,
                          Optional<AcceptanceRuns.Summary> lastRun) {

    /** Incidents looked at; an older one still open is on the Training page. */
    static final int INCIDENTS_READ = 500;

    static FleetGlance of(List<Incident> newestIncidents, List<Backend> backends, List<AcceptanceRuns.Summary> newestRuns) {
        List<Incident> open = newestIncidents.stream().filter(i -> i.state() != Incident.State.RESOLVED).toList();
        int critical = (int) open.stream().filter(i -> "CRITICAL".equalsIgnoreCase(i.severity())).count();
        int up = (int) backends.stream().filter(Backend::healthy).count();
        return new FleetGlance(open.size(), critical, up, backends.size() - up, newestRuns.stream().findFirst());
    }
}
