package dev.pitwall.acceptance.store;

/**
 * The integration checks whose findings are kept as acceptance runs, each named with its kind
 * first, so that the integration report finds the newest run of each.
 */
public enum RunKind {
    MONITORING("Monitoring check: "),
    SCHEDULER("Scheduler check: "),
    STORAGE_INTERFACE("Storage check: "),
    STRESS("Stress test: ");

    private final String prefix;

    RunKind(String prefix) {
        this.prefix = prefix;
    }

    /** A run's name: its kind, then what it checked. */
    public String named(String what) {
        return prefix + what;
    }

    String prefix() {
        return prefix;
    }
}
