package dev.pitwall.trainops.telemetry;

import dev.pitwall.trainops.detect.GpuCondition;
import dev.pitwall.trainops.detect.RuleCatalog;
import dev.pitwall.trainops.signal.Signal;
import dev.pitwall.trainops.signal.StoredSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Watches each GPU across scrapes: clocks held back by heat or power (NVML's clock event reasons),
 * and GPUs allocated to a job sitting idle. A condition raises one signal when it starts; what it
 * means and what to do come from the detection catalog.
 */
final class GpuConditions {

    /** NVML clock event reasons (nvmlClocksEventReasons): the bits that mean the GPU is held back by its hardware. */
    static final long HW_SLOWDOWN = 0x8;
    static final long SW_THERMAL = 0x40;
    static final long HW_THERMAL = 0x80;
    static final long HW_POWER_BRAKE = 0x100;
    /** An allocated GPU below this utilization for IDLE_AFTER is idle. */
    static final double IDLE_UTIL_PCT = 5;
    static final Duration IDLE_AFTER = Duration.ofMinutes(10);

    private final RuleCatalog catalog;
    /** Per GPU: which conditions hold now, and since when it has been idle while allocated. */
    private final Map<String, GpuState> states = new HashMap<>();

    private static final class GpuState {
        long reasons;
        Instant idleSince;
        boolean idleReported;
    }

    GpuConditions(RuleCatalog catalog) {
        this.catalog = catalog;
    }

    /** The signals of conditions that started with this round. */
    List<StoredSignal> observe(List<GpuReading> gpus, Instant now) {
        List<StoredSignal> signals = new ArrayList<>();
        for (GpuReading g : gpus) {
            GpuState state = states.computeIfAbsent(g.node() + "/" + g.gpu(), k -> new GpuState());
            long started = g.reasons() & ~state.reasons;
            state.reasons = g.reasons();
            // A hardware slowdown says more than the driver's throttle, a power brake more than a plain slowdown.
            if ((started & HW_THERMAL) != 0) {
                signals.add(signal(g, "gpu-thermal-slowdown", 0, now));
            } else if ((started & SW_THERMAL) != 0) {
                signals.add(signal(g, "gpu-thermal-throttle", 0, now));
            }
            if ((started & HW_POWER_BRAKE) != 0) {
                signals.add(signal(g, "gpu-power-brake", 0, now));
            } else if ((started & HW_SLOWDOWN) != 0) {
                signals.add(signal(g, "gpu-hw-slowdown", 0, now));
            }
            boolean idle = g.allocated() && g.utilPct() < IDLE_UTIL_PCT;
            if (!idle) {
                state.idleSince = null;
                state.idleReported = false;
            } else if (state.idleSince == null) {
                state.idleSince = now;
            } else if (!state.idleReported && Duration.between(state.idleSince, now).compareTo(IDLE_AFTER) >= 0) {
                state.idleReported = true;
                signals.add(signal(g, "gpu-idle-allocated", Duration.between(state.idleSince, now).toMinutes(), now));
            }
        }
        return signals;
    }

    private StoredSignal signal(GpuReading g, String id, long minutes, Instant at) {
        GpuCondition condition = catalog.gpuCondition(id);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("gpu", g.gpu());
        fields.put("reasons", "0x" + Long.toHexString(g.reasons()));
        if (g.allocated()) {
            fields.put("pod", g.pod());
        }
        String meaning = condition.meaning().replace("{gpu}", g.gpu()).replace("{pod}", g.pod())
                .replace("{minutes}", Long.toString(minutes));
        String text = String.format(Locale.ROOT, "%s gpu %s (%s): utilization %.0f%%, clock event reasons 0x%x", g.node(),
                g.gpu(), g.model(), g.utilPct(), g.reasons());
        return StoredSignal.of(g.node(), "dcgm", at, new Signal(condition.id(), condition.category(),
                condition.severity(), fields, meaning, condition.action(), text));
    }
}
