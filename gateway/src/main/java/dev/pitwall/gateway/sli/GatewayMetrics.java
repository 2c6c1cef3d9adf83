package dev.pitwall.gateway.sli;

import dev.pitwall.gateway.admission.AdmissionQueue;
import dev.pitwall.gateway.admission.Limiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The gateway's service-level indicators on {@code /metrics}, labelled by model, backend and
 * tenant: requests by outcome, time to first token, inter-token latency, end-to-end latency,
 * prompt and completion tokens, output tokens per second; per backend, its admission: requests
 * in flight, the concurrency limit, requests waiting, their wait, and requests shed by reason.
 * Histogram buckets are cut for LLM latencies: tens of milliseconds between tokens, up to
 * minutes for a long answer.
 */
public final class GatewayMetrics {

    private static final Duration[] FIRST_TOKEN_BUCKETS = durations(25, 50, 100, 200, 400, 800, 1_500, 3_000,
            6_000, 12_000, 30_000, 60_000);
    private static final Duration[] TOKEN_GAP_BUCKETS = durations(5, 10, 20, 40, 60, 80, 100, 150, 250, 500,
            1_000, 2_500);
    private static final Duration[] REQUEST_BUCKETS = durations(100, 250, 500, 1_000, 2_500, 5_000, 10_000, 20_000,
            40_000, 80_000, 160_000, 320_000);
    private static final Duration[] QUEUE_WAIT_BUCKETS = durations(1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500,
            5_000, 10_000);
    private static final double[] TOKENS_PER_SECOND_BUCKETS = {5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500};

    private final MeterRegistry registry;
    private final Duration[] firstTokenBuckets;
    private final Duration[] requestBuckets;
    private final Map<String, Totals> byModel = new ConcurrentSkipListMap<>();
    private final Map<String, Totals> byBackend = new ConcurrentSkipListMap<>();
    private final Map<String, Totals> byPrompt = new ConcurrentSkipListMap<>();

    /**
     * @param admissions           each backend's admission, by backend name
     * @param firstTokenThresholds objectives' time-to-first-token thresholds, added to that histogram's buckets
     *                             so that Prometheus rules can count the requests within each exactly
     * @param requestThresholds    objectives' latency thresholds, added to the request duration's buckets
     */
    public GatewayMetrics(MeterRegistry registry, Map<String, AdmissionQueue> admissions,
                          Collection<Duration> firstTokenThresholds, Collection<Duration> requestThresholds) {
        this.registry = registry;
        this.firstTokenBuckets = withThresholds(FIRST_TOKEN_BUCKETS, firstTokenThresholds);
        this.requestBuckets = withThresholds(REQUEST_BUCKETS, requestThresholds);
        admissions.forEach((backend, admission) -> {
            Limiter limiter = admission.limiter();
            Gauge.builder("pitwall.gateway.in.flight", limiter, Limiter::inFlight)
                    .description("Requests the gateway has in flight to the backend")
                    .tag("backend", backend)
                    .register(registry);
            Gauge.builder("pitwall.gateway.limit", limiter, Limiter::limit)
                    .description("Requests the backend's admission limiter lets in at once")
                    .tag("backend", backend)
                    .register(registry);
            Gauge.builder("pitwall.gateway.queue.length", admission, AdmissionQueue::queued)
                    .description("Requests waiting for a place at the backend")
                    .tag("backend", backend)
                    .register(registry);
            for (AdmissionQueue.ShedReason reason : AdmissionQueue.ShedReason.values()) {
                FunctionCounter.builder("pitwall.gateway.shed", admission, a -> a.shedCount(reason))
                        .description("Requests that left the backend's queue without a place, by reason; "
                                + "all but client_left were answered 503")
                        .tags("backend", backend, "reason", reason.label())
                        .register(registry);
            }
        });
    }

    /** How long a request waited for a place at {@code backend} before it was sent there. */
    public void queueWait(String backend, long waitedNanos) {
        Timer.builder("pitwall.gateway.queue.wait").description("Time requests waited for a place at the backend")
                .tag("backend", backend).serviceLevelObjectives(QUEUE_WAIT_BUCKETS).register(registry)
                .record(Duration.ofNanos(waitedNanos));
    }

    /** Records one finished request. */
    public void record(RequestObservation done) {
        byModel.computeIfAbsent(done.model(), m -> new Totals()).add(done);
        byBackend.computeIfAbsent(done.backend(), b -> new Totals()).add(done);
        Tags tags = Tags.of("model", done.model(), "backend", done.backend(), "tenant", done.tenant());
        Counter.builder("pitwall.gateway.requests").description("Requests answered, by outcome")
                .tags(tags).tag("outcome", done.outcome().label()).register(registry).increment();
        Timer.builder("pitwall.gateway.request.duration").description("From request to last byte")
                .tags(tags).serviceLevelObjectives(requestBuckets).register(registry).record(done.duration());
        if (done.timeToFirstToken() != null) {
            Timer.builder("pitwall.gateway.time.to.first.token").description("From request to first token")
                    .tags(tags).serviceLevelObjectives(firstTokenBuckets).register(registry)
                    .record(done.timeToFirstToken());
        }
        if (!done.tokenGaps().isEmpty()) {
            Timer gaps = Timer.builder("pitwall.gateway.inter.token.latency").description("Time between streamed tokens")
                    .tags(tags).serviceLevelObjectives(TOKEN_GAP_BUCKETS).register(registry);
            done.tokenGaps().forEach(gaps::record);
        }
        if (done.promptTokens() > 0) {
            Counter.builder("pitwall.gateway.prompt.tokens").description("Prompt tokens, as the backends count them")
                    .tags(tags).register(registry).increment(done.promptTokens());
        }
        if (done.completionTokens() > 0) {
            Counter.builder("pitwall.gateway.completion.tokens").description("Completion tokens, as the backends count them")
                    .tags(tags).register(registry).increment(done.completionTokens());
            Duration generating = done.timeToFirstToken() == null ? done.duration()
                    : done.duration().minus(done.timeToFirstToken());
            if (done.completionTokens() > 1 && generating.toNanos() > 0) {
                DistributionSummary.builder("pitwall.gateway.output.tokens.per.second")
                        .description("Completion tokens per second after the first token")
                        .tags(tags).serviceLevelObjectives(TOKENS_PER_SECOND_BUCKETS).register(registry)
                        .record((done.completionTokens() - 1) / (generating.toNanos() / 1e9));
            }
        }
    }

    /**
     * The same request once more, by the prompt version that served it: requests by outcome and
     * time to first token. Prompts and versions come from the registry, so the series are bounded.
     */
    public void recordPrompt(String prompt, int version, RequestObservation done) {
        byPrompt.computeIfAbsent(prompt + "@" + version, p -> new Totals()).add(done);
        Tags tags = Tags.of("prompt", prompt, "version", String.valueOf(version));
        Counter.builder("pitwall.gateway.prompt.requests").description("Requests served with a prompt, by outcome")
                .tags(tags).tag("outcome", done.outcome().label()).register(registry).increment();
        if (done.timeToFirstToken() != null) {
            Timer.builder("pitwall.gateway.prompt.time.to.first.token")
                    .description("From request to first token, by prompt version")
                    .tags(tags).serviceLevelObjectives(FIRST_TOKEN_BUCKETS).register(registry)
                    .record(done.timeToFirstToken());
        }
    }

    /** Totals per model name asked for, sorted by name. */
    public Map<String, Totals> byModel() {
        return byModel;
    }

    /** Totals per prompt version that served requests ({@code name@version}), sorted. */
    public Map<String, Totals> byPrompt() {
        return byPrompt;
    }

    /** Totals per backend that answered ({@code none} when no backend did), sorted by name. */
    public Map<String, Totals> byBackend() {
        return byBackend;
    }

    private static Duration[] withThresholds(Duration[] buckets, Collection<Duration> thresholds) {
        return Stream.concat(Arrays.stream(buckets), thresholds.stream()).distinct().sorted().toArray(Duration[]::new);
    }

    private static Duration[] durations(long... millis) {
        Duration[] out = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            out[i] = Duration.ofMillis(millis[i]);
        }
        return out;
    }
}
