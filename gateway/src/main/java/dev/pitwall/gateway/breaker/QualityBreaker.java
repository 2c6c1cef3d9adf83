package dev.pitwall.gateway.breaker;

import dev.pitwall.gateway.config.QualityConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One backend's circuit for one model, judged on its answers' quality as well as its failures.
 * A rolling window holds the last answers (good or bad, with their scores; a stream whose first
 * token came later than {@code slow-first-token} is bad too) and failures:
 * <ul>
 *   <li>closed → degraded when bad answers reach {@code degrade-at} of the window: the model's
 *       traffic goes to its other backends and fallbacks first, while a share ({@code probe-rate})
 *       of first choices still comes here to be judged;
 *   <li>closed or degraded → open when bad answers or failures reach {@code open-at}: left out
 *       for the {@code cool-down};
 *   <li>degraded → closed when bad answers fall below {@code recover-below};
 *   <li>open → half-open after the cool-down: traffic comes back, and after {@code probes}
 *       answers the backend closes (fewer bad than {@code degrade-at}) or opens again.
 * </ul>
 * Every move is reported, with the evidence that made it.
 */
public final class QualityBreaker {

    public enum State {
        CLOSED, DEGRADED, OPEN, HALF_OPEN;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Where the router may put this route now. */
    public enum Placement {
        /** With the others, by attraction. */
        FIRST,
        /** After every other route of the model and its fallbacks. */
        DEMOTED,
        /** Left out of first choices (still a last resort, as a backend that is down). */
        LEFT_OUT
    }

    /** The window's figures when a move was made, and the last bad answer's fault. */
    public record Evidence(int samples, int bad, int failed, double meanCharEntropy, double meanTokenEntropy,
                           String lastFault) {

        public double badShare() {
            return samples == 0 ? 0 : (double) bad / samples;
        }

        public double failedShare() {
            return samples == 0 ? 0 : (double) failed / samples;
        }
    }

    /** One move of one circuit. */
    public record Transition(String backend, String model, State from, State to, String why, Evidence evidence,
                             long atMillis) {
    }

    private record Sample(boolean failed, String fault, double charEntropy, double tokenEntropy) {
    }

    private final String backend;
    private final String model;
    private final QualityJudge judge;
    private final QualityConfig config;
    private final Consumer<Transition> listener;
    private final RandomGenerator random;
    private final ArrayDeque<Sample> window = new ArrayDeque<>();
    private State state = State.CLOSED;
    private long openUntilNanos;
    private int probesJudged;
    private int probesBad;
    private String lastFault = "";

    public QualityBreaker(String backend, String model, QualityJudge judge, Consumer<Transition> listener,
                          RandomGenerator random) {
        this.backend = backend;
        this.model = model;
        this.judge = judge;
        this.config = judge.config();
        this.listener = listener;
        this.random = random;
    }

    /**
     * A whole answer came back; it is judged and counted.
     *
     * @param firstToken how long its first token took, for a stream; null otherwise
     * @return why the answer is bad, if it is
     */
    public Optional<String> answered(QualityScore score, Duration firstToken) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        String fault = judge.judge(model, score).orElse(null);
        if (fault == null && firstToken != null && firstToken.compareTo(config.slowFirstToken()) > 0) {
            fault = String.format(Locale.ROOT, "first token after %.1f s", firstToken.toMillis() / 1000.0);
        }
        record(new Sample(false, fault, score.charEntropy(), score.tokenEntropy()));
        return Optional.ofNullable(fault);
    }

    /** The backend failed the request (error, timeout, broken stream). */
    public void failed() {
        if (config.enabled()) {
            record(new Sample(true, null, Double.NaN, Double.NaN));
        }
    }

    public State state(long nowNanos) {
        Transition halfOpened;
        State now;
        synchronized (this) {
            halfOpened = halfOpenWhenDue(nowNanos);
            now = state;
        }
        report(halfOpened);
        return now;
    }

    public Placement placement(long nowNanos) {
        Transition halfOpened;
        Placement placement;
        synchronized (this) {
            halfOpened = halfOpenWhenDue(nowNanos);
            placement = switch (state) {
                case CLOSED, HALF_OPEN -> Placement.FIRST;
                case DEGRADED -> random.nextDouble() < config.probeRate() ? Placement.FIRST : Placement.DEMOTED;
                case OPEN -> Placement.LEFT_OUT;
            };
        }
        report(halfOpened);
        return placement;
    }

    /** Moves are reported outside the lock: the audit log writes to the store, routing must not wait on it. */
    private void report(Transition moved) {
        if (moved != null) {
            listener.accept(moved);
        }
    }

    public synchronized Evidence evidence() {
        int bad = 0;
        int failed = 0;
        double chars = 0;
        int charCount = 0;
        double tokens = 0;
        int tokenCount = 0;
        for (Sample s : window) {
            failed += s.failed ? 1 : 0;
            bad += s.fault != null ? 1 : 0;
            if (!Double.isNaN(s.charEntropy)) {
                chars += s.charEntropy;
                charCount++;
            }
            if (!Double.isNaN(s.tokenEntropy)) {
                tokens += s.tokenEntropy;
                tokenCount++;
            }
        }
        return new Evidence(window.size(), bad, failed, charCount == 0 ? Double.NaN : chars / charCount,
                tokenCount == 0 ? Double.NaN : tokens / tokenCount, lastFault);
    }

    public String backend() {
        return backend;
    }

    public String model() {
        return model;
    }

    private void record(Sample sample) {
        Transition halfOpened;
        Transition moved;
        synchronized (this) {
            halfOpened = halfOpenWhenDue(System.nanoTime());
            window.addLast(sample);
            if (window.size() > config.window()) {
                window.removeFirst();
            }
            if (sample.fault != null) {
                lastFault = sample.fault;
            }
            moved = decide(sample);
        }
        report(halfOpened);
        report(moved);
    }

    /** The move this sample makes, if any; called holding the lock. */
    private Transition decide(Sample sample) {
        Evidence e = evidence();
        if (state == State.HALF_OPEN) {
            probesJudged++;
            probesBad += sample.failed || sample.fault != null ? 1 : 0;
            if (probesJudged < config.probes()) {
                return null;
            }
            boolean good = (double) probesBad / probesJudged < config.degradeAt();
            return good ? move(State.CLOSED, probesBad + " of " + probesJudged + " probes bad", e, true)
                    : open(probesBad + " of " + probesJudged + " probes bad", e);
        }
        if (state == State.OPEN || e.samples() < config.minSamples()) {
            return null;
        }
        if (e.badShare() >= config.openAt() || e.failedShare() >= config.openAt()) {
            return open(e.badShare() >= config.openAt() ? share(e.bad(), e) + " answers bad"
                    : share(e.failed(), e) + " requests failed", e);
        }
        if (state == State.CLOSED && e.badShare() >= config.degradeAt()) {
            return move(State.DEGRADED, share(e.bad(), e) + " answers bad", e, false);
        }
        if (state == State.DEGRADED && e.badShare() < config.recoverBelow()) {
            return move(State.CLOSED, "only " + share(e.bad(), e) + " answers bad", e, false);
        }
        return null;
    }

    private Transition open(String why, Evidence e) {
        openUntilNanos = System.nanoTime() + config.coolDown().toNanos();
        return move(State.OPEN, why, e, false);
    }

    private Transition move(State to, String why, Evidence e, boolean fresh) {
        Transition t = new Transition(backend, model, state, to, why, e, System.currentTimeMillis());
        state = to;
        if (fresh) {
            window.clear(); // a closed circuit starts over: the bad answers that opened it are past
            lastFault = "";
        }
        return t;
    }

    /**
     * Opens into half-open once the cool-down is over (noticed by the next request's routing or
     * answer); the move, if made, for the caller to report once it holds the lock no more.
     */
    private Transition halfOpenWhenDue(long nowNanos) {
        if (state != State.OPEN || nowNanos - openUntilNanos < 0) {
            return null;
        }
        Transition t = new Transition(backend, model, State.OPEN, State.HALF_OPEN,
                "cool-down of " + config.coolDown().toSeconds() + " s over", evidence(), System.currentTimeMillis());
        state = State.HALF_OPEN;
        probesJudged = 0;
        probesBad = 0;
        return t;
    }

    private static String share(int count, Evidence e) {
        return count + " of " + e.samples();
    }
}
