package dev.pitwall.gateway.slo;

import dev.pitwall.core.config.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where one objective stands now.
 *
 * @param windows         the burn-rate windows, shortest first, then the whole period
 * @param budgetRemaining the share of the period's error budget not yet spent (below 0 once overspent),
 *                        null while the period has no events
 * @param state           what the multi-window, multi-burn-rate alerts say
 * @param firing          each alert condition that holds, in words
 */
public record SloStatus(SloSpec spec, List<Window> windows, Double budgetRemaining, State state, List<String> firing) {

    /** The alert state of an objective. */
    public enum State {
        /** No event was counted over the period. */
        NO_DATA,
        /** The budget is not burning faster than any alert allows. */
        OK,
        /** A ticket alert holds (and no page alert). */
        TICKET,
        /** A page alert holds. */
        PAGE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param errorRatio the share of bad events, null without events
     * @param burnRate   how many times faster than the period allows the budget burns, null without events
     */
    public record Window(Duration length, long good, long total, Double errorRatio, Double burnRate) {
    }

    /** Judges {@code spec}'s counts over {@link AlertWindows#WINDOWS} then its period, in that order. */
    static SloStatus of(SloSpec spec, List<long[]> counts) {
        List<Duration> lengths = new ArrayList<>(AlertWindows.WINDOWS);
        lengths.add(spec.window());
        List<Window> windows = new ArrayList<>();
        for (int i = 0; i < lengths.size(); i++) {
            long good = counts.get(i)[0];
            long total = counts.get(i)[1];
            Double ratio = total == 0 ? null : (double) (total - good) / total;
            windows.add(new Window(lengths.get(i), good, total, ratio, ratio == null ? null : ratio / spec.errorBudget()));
        }
        Window period = windows.getLast();
        Double remaining = period.burnRate() == null ? null : 1 - period.burnRate();
        List<String> firing = new ArrayList<>();
        AlertWindows alerts = spec.alertWindows();
        for (AlertWindows.Severity severity : AlertWindows.Severity.values()) {
            for (AlertWindows.Alert alert : alerts.of(severity)) {
                Window longer = find(windows, alert.longWindow());
                Window shorter = find(windows, alert.shortWindow());
                if (burnsOver(longer, alert.burnRate()) && burnsOver(shorter, alert.burnRate())) {
                    firing.add(String.format(Locale.ROOT, "%s: burn rate %.1f over %s and %.1f over %s, above %s",
                            severity.label(), longer.burnRate(), label(alert.longWindow()), shorter.burnRate(),
                            label(alert.shortWindow()), trim(alert.burnRate())));
                }
            }
        }
        State state = period.total() == 0 ? State.NO_DATA
                : firing.stream().anyMatch(f -> f.startsWith("page")) ? State.PAGE
                : firing.isEmpty() ? State.OK : State.TICKET;
        return new SloStatus(spec, List.copyOf(windows), remaining, state, List.copyOf(firing));
    }

    /** The burn rate over {@code length}, null when no window of that length is measured or it had no events. */
    public Double burnRate(Duration length) {
        return windows.stream().filter(w -> w.length().equals(length)).findFirst().map(Window::burnRate).orElse(null);
    }

    private static boolean burnsOver(Window window, double rate) {
        return window.burnRate() != null && window.burnRate() > rate;
    }

    private static Window find(List<Window> windows, Duration length) {
        return windows.stream().filter(w -> w.length().equals(length)).findFirst().orElseThrow();
    }

    private static String label(Duration d) {
        return DurationText.format(d);
    }

    private static String trim(double rate) {
        return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(Math.round(rate * 100) / 100.0);
    }
}
