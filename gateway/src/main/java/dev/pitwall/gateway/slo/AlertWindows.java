package dev.pitwall.gateway.slo;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The multi-window, multi-burn-rate alerts of an objective's period, as chapter 5 of Google's
 * SRE workbook ("Alerting on SLOs", its recommended parameters) sets them and Sloth generates
 * them: each alert fires when the error budget burns fast enough over both a long and a short
 * window that the given share of the period's budget would be spent within the long window.
 * For 30 days: page at 14.4 over 1h and 5m, or 6 over 6h and 30m; ticket at 3 over 1d and 2h,
 * or 1 over 3d and 6h.
 */
public record AlertWindows(Duration period, Alert pageQuick, Alert pageSlow, Alert ticketQuick, Alert ticketSlow) {

    /** Every window a burn rate is measured over, shortest first. */
    public static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(6), Duration.ofDays(1), Duration.ofDays(3));

    /**
     * @param budgetPercent the share of the period's error budget spent within the long window when this fires
     */
    public record Alert(Severity severity, double budgetPercent, Duration shortWindow, Duration longWindow,
                        Duration period) {

        /** The burn rate both windows must exceed: 14.4 for 2 % of 30 days in one hour. */
        public double burnRate() {
            // One division, so that 30 days' factors print as 14.4, 6, 3 and 1 exactly.
            return budgetPercent * period.toSeconds() / (100.0 * longWindow.toSeconds());
        }
    }

    /** Who an alert is for. */
    public enum Severity {
        /** Someone acts now. */
        PAGE,
        /** Someone acts within the working day. */
        TICKET;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The alerts of a 28- or 30-day period; empty for any other. */
    public static Optional<AlertWindows> forPeriod(Duration period) {
        if (!period.equals(Duration.ofDays(28)) && !period.equals(Duration.ofDays(30))) {
            return Optional.empty();
        }
        return Optional.of(new AlertWindows(period,
                new Alert(Severity.PAGE, 2, Duration.ofMinutes(5), Duration.ofHours(1), period),
                new Alert(Severity.PAGE, 5, Duration.ofMinutes(30), Duration.ofHours(6), period),
                new Alert(Severity.TICKET, 10, Duration.ofHours(2), Duration.ofDays(1), period),
                new Alert(Severity.TICKET, 10, Duration.ofHours(6), Duration.ofDays(3), period)));
    }

    /** The two alerts of a severity: quick first. */
    public List<Alert> of(Severity severity) {
        return severity == Severity.PAGE ? List.of(pageQuick, pageSlow) : List.of(ticketQuick, ticketSlow);
    }
}
