package dev.pitwall.trainops.telemetry;

import dev.pitwall.core.metrics.PrometheusSamples;
import dev.pitwall.core.storage.Database;
import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.Signal;
import dev.pitwall.trainops.signal.StoredSignal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes dcgm-exporter endpoints (or takes what node agents push from theirs) and watches each GPU: clocks held back by heat or power
 * (NVML's clock event reasons), and GPUs allocated to a job (dcgm-exporter's pod label) sitting
 * idle. A condition raises one signal when it starts. Each round also records how many GPUs are
 * allocated and how busy those are, for the reliability report's utilization figures.
 */
public final class GpuTelemetry {

    private static final Logger LOG = LoggerFactory.getLogger(GpuTelemetry.class);

    /** NVML clock event reasons (nvmlClocksEventReasons): the bits that mean the GPU is held back by its hardware. */
    static final long HW_SLOWDOWN = 0x8;
    static final long SW_THERMAL = 0x40;
    static final long HW_THERMAL = 0x80;
    static final long HW_POWER_BRAKE = 0x100;
    /** An allocated GPU below this utilization for IDLE_AFTER is idle. */
    static final double IDLE_UTIL_PCT = 5;
    static final Duration IDLE_AFTER = Duration.ofMinutes(10);

    private final List<URI> targets;
    private final Jdbi jdbi;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Per GPU: which conditions hold now, and since when it has been idle while allocated. */
    private final Map<String, GpuState> states = new HashMap<>();

    private static final class GpuState {
        long reasons;
        Instant idleSince;
        boolean idleReported;
    }

    /** One GPU as a scrape saw it. */
    record Gpu(String node, String gpu, String model, double utilPct, OptionalDouble smActive, long reasons, String pod) {

        boolean allocated() {
            return !pod.isEmpty();
        }

        /** SM activity in percent where profiling metrics are on, else GPU utilization. */
        double activityPct() {
            return smActive.isPresent() ? smActive.getAsDouble() * 100 : utilPct;
        }
    }

    public GpuTelemetry(TelemetryConfig config, Database database, Clock clock) {
        this.targets = config.targets().stream().map(URI::create).toList();
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /** Scrapes every target once; answers the signals of conditions that started. */
    public synchronized List<StoredSignal> scrape() {
        List<Gpu> gpus = new ArrayList<>();
        for (URI target : targets) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    LOG.warn("telemetry target {} answered {}", target, response.statusCode());
                    continue;
                }
                gpus.addAll(gpus(response.body(), target.getHost(), true));
            } catch (IOException e) {
                LOG.warn("telemetry target {} unreachable: {}", target, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return observe(gpus);
    }

    /** An exposition a node agent pushed from its local dcgm-exporter; answers the signals of conditions that started. */
    public synchronized List<StoredSignal> accept(String exposition, String node) {
        // The agent knows its node; the exporter's Hostname may be its pod's name.
        return observe(gpus(exposition, node, false));
    }

    private List<StoredSignal> observe(List<Gpu> gpus) {
        Instant now = clock.instant();
        record(now, gpus);
        return evaluate(gpus, now);
    }

    /**
     * The GPUs of one exposition, by node and gpu index; the node is dcgm-exporter's Hostname label when
     * {@code preferLabel} and the exposition has one, else {@code host}.
     */
    static List<Gpu> gpus(String text, String host, boolean preferLabel) {
        Map<String, Map<String, PrometheusSamples.Sample>> byGpu = new LinkedHashMap<>();
        for (PrometheusSamples.Sample s : PrometheusSamples.parse(text)) {
            if (!s.name().startsWith("DCGM_FI_") || s.label("gpu").isEmpty()) {
                continue;
            }
            String node = preferLabel && !s.label("Hostname").isEmpty() ? s.label("Hostname") : host;
            byGpu.computeIfAbsent(node + "/" + s.label("gpu"), k -> new HashMap<>()).put(s.name(), s);
        }
        List<Gpu> out = new ArrayList<>();
        byGpu.forEach((key, metrics) -> {
            PrometheusSamples.Sample any = metrics.values().iterator().next();
            String node = key.substring(0, key.lastIndexOf('/'));
            double util = value(metrics, "DCGM_FI_DEV_GPU_UTIL", 0);
            OptionalDouble sm = metrics.containsKey("DCGM_FI_PROF_SM_ACTIVE")
                    ? OptionalDouble.of(metrics.get("DCGM_FI_PROF_SM_ACTIVE").value()) : OptionalDouble.empty();
            // dcgm-exporter 3.3+ names it CLOCKS_EVENT_REASONS; older ones CLOCK_THROTTLE_REASONS.
            long reasons = (long) value(metrics, "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",
                    value(metrics, "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", 0));
            out.add(new Gpu(node, any.label("gpu"), any.label("modelName"), util, sm, reasons, any.label("pod")));
        });
        return out;
    }

    private static double value(Map<String, PrometheusSamples.Sample> metrics, String name, double otherwise) {
        PrometheusSamples.Sample s = metrics.get(name);
        return s == null ? otherwise : s.value();
    }

    private List<StoredSignal> evaluate(List<Gpu> gpus, Instant now) {
        List<StoredSignal> signals = new ArrayList<>();
        for (Gpu g : gpus) {
            GpuState state = states.computeIfAbsent(g.node() + "/" + g.gpu(), k -> new GpuState());
            long started = g.reasons() & ~state.reasons;
            state.reasons = g.reasons();
            if ((started & HW_THERMAL) != 0) {
                signals.add(signal(g, "gpu-thermal-slowdown", Severity.ERROR, "the GPU's hardware slowed its clocks: it is "
                        + "too hot", "check the node's fans and airflow and the GPU's temperature; move the job off it until "
                        + "it runs at full clocks", now));
            } else if ((started & SW_THERMAL) != 0) {
                signals.add(signal(g, "gpu-thermal-throttle", Severity.WARNING, "the driver lowered the GPU's clocks to keep "
                        + "it within its temperature limits", "check cooling before it turns into a hardware slowdown", now));
            }
            if ((started & HW_POWER_BRAKE) != 0) {
                signals.add(signal(g, "gpu-power-brake", Severity.ERROR, "the power brake slowed the GPU: the system asked "
                        + "it to draw less (a power supply or rack limit)", "check the node's power supplies and the rack's "
                        + "power budget", now));
            } else if ((started & HW_SLOWDOWN) != 0) {
                signals.add(signal(g, "gpu-hw-slowdown", Severity.ERROR, "the GPU's hardware slowed its clocks (power or "
                        + "thermal protection)", "check power and cooling; nvidia-smi -q -d PERFORMANCE says which", now));
            }
            boolean idle = g.allocated() && g.utilPct() < IDLE_UTIL_PCT;
            if (!idle) {
                state.idleSince = null;
                state.idleReported = false;
            } else if (state.idleSince == null) {
                state.idleSince = now;
            } else if (!state.idleReported && Duration.between(state.idleSince, now).compareTo(IDLE_AFTER) >= 0) {
                state.idleReported = true;
                signals.add(signal(g, "gpu-idle-allocated", Severity.WARNING, String.format(Locale.ROOT,
                        "GPU %s is allocated to %s but has been idle for %d min", g.gpu(), g.pod(),
                        Duration.between(state.idleSince, now).toMinutes()), "check whether the job hung or waits on "
                        + "input; release the GPU if the job is done", now));
            }
        }
        return signals;
    }

    private static StoredSignal signal(Gpu g, String rule, Severity severity, String meaning, String action, Instant at) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("gpu", g.gpu());
        fields.put("reasons", "0x" + Long.toHexString(g.reasons()));
        if (g.allocated()) {
            fields.put("pod", g.pod());
        }
        String text = String.format(Locale.ROOT, "%s gpu %s (%s): utilization %.0f%%, clock event reasons 0x%x", g.node(),
                g.gpu(), g.model(), g.utilPct(), g.reasons());
        return StoredSignal.of(g.node(), "dcgm", at, new Signal(rule, rule.startsWith("gpu-idle") ? "utilization" : "gpu",
                severity, 0, fields, meaning, action, text));
    }

    private void record(Instant now, List<Gpu> gpus) {
        if (gpus.isEmpty()) {
            return;
        }
        List<Gpu> allocated = gpus.stream().filter(Gpu::allocated).toList();
        double activity = allocated.stream().mapToDouble(Gpu::activityPct).sum();
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO gpu_utilization (at, gpus, allocated, activity_sum)
                        VALUES (:at, :gpus, :allocated, :activity)""")
                .bind("at", now.toEpochMilli()).bind("gpus", gpus.size()).bind("allocated", allocated.size())
                .bind("activity", activity).execute());
    }

    /**
     * Utilization over [from, to): physical, allocated GPUs over all GPUs; logical, the mean activity of the
     * allocated ones. Empty when no scrape round fell in the period.
     */
    public static Optional<Utilization> utilization(Database database, Instant from, Instant to) {
        return database.jdbi().withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) AS rounds, SUM(gpus) AS gpus, SUM(allocated) AS allocated, SUM(activity_sum) AS activity
                        FROM gpu_utilization WHERE at >= :from AND at < :to""")
                .bind("from", from.toEpochMilli()).bind("to", to.toEpochMilli())
                .map((rs, ctx) -> {
                    long rounds = rs.getLong("rounds");
                    double total = rs.getDouble("gpus");
                    double allocated = rs.getDouble("allocated");
                    if (rounds == 0 || total == 0) {
                        return Optional.<Utilization>empty();
                    }
                    return Optional.of(new Utilization(100 * allocated / total,
                            allocated == 0 ? 0 : rs.getDouble("activity") / allocated, rounds));
                }).one());
    }

    /** @param rounds scrape rounds the figures average over */
    public record Utilization(double physicalPct, double logicalPct, long rounds) {
    }
}
