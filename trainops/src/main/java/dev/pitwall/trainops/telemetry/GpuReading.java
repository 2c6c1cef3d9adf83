package dev.pitwall.trainops.telemetry;

import java.util.OptionalDouble;

/**
 * One GPU as one scrape of dcgm-exporter saw it.
 *
 * @param reasons NVML's clock event reasons bitmask
 * @param pod     the pod it is allocated to (dcgm-exporter's pod label), empty when none
 * @param fbUsedMib framebuffer memory in use (DCGM_FI_DEV_FB_USED), when the exporter has it
 */
public record GpuReading(String node, String gpu, String model, double utilPct, OptionalDouble smActive, long reasons,
                         String pod, OptionalDouble fbUsedMib) {

    public boolean allocated() {
        return !pod.isEmpty();
    }

    /** SM activity in percent where profiling metrics are on, else GPU utilization. */
    public double activityPct() {
        return smActive.isPresent() ? smActive.getAsDouble() * 100 : utilPct;
    }
}
