package dev.pitwall.gateway.slo;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.storage.Database;
import dev.pitwall.gateway.sli.RequestObservation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The gateway's objectives, the events they count, and where each stands. */
public final class SloBoard implements AutoCloseable {

    private final SloDefinitions definitions;
    private final SloLedger ledger;

    public SloBoard(Database database, AuditLog audit, Clock clock, List<SloSpec> fromConfig) {
        this.definitions = new SloDefinitions(database, audit, clock, fromConfig);
        this.ledger = new SloLedger(database, clock, definitions::values);
    }

    public SloDefinitions definitions() {
        return definitions;
    }

    /** Counts a finished request for each objective that counts it. */
    public void record(RequestObservation done) {
        ledger.record(done);
    }

    /** Every objective's standing, by name. */
    public List<SloStatus> statuses() {
        List<SloStatus> out = new ArrayList<>();
        for (SloSpec spec : definitions.values()) {
            out.add(status(spec));
        }
        return out;
    }

    public Optional<SloStatus> status(String name) {
        return definitions.find(name).map(e -> status(e.value()));
    }

    private SloStatus status(SloSpec spec) {
        List<Duration> windows = new ArrayList<>(AlertWindows.WINDOWS);
        windows.add(spec.window());
        return SloStatus.of(spec, ledger.counts(spec, windows));
    }

    SloLedger ledger() {
        return ledger;
    }

    @Override
    public void close() {
        ledger.close();
    }
}
