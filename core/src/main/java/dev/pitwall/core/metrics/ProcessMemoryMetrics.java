package dev.pitwall.core.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident set size of this process, read from {@code /proc/self/status} (Linux). Heap gauges
 * say what the JVM thinks it uses; RSS is what the kernel charges the container for, and what an
 * OOM kill is decided on. On systems without procfs the gauge is not registered.
 */
public final class ProcessMemoryMetrics implements MeterBinder {

    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        if (!Files.isReadable(STATUS)) {
            return;
        }
        Gauge.builder("process.resident.memory", ProcessMemoryMetrics::residentBytes)
                .description("Resident set size of the process (VmRSS)")
                .baseUnit(BaseUnits.BYTES)
                .register(registry);
    }

    /** VmRSS in bytes, or NaN when it cannot be read. */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    // "VmRSS:    123456 kB"
                    String[] parts = line.substring(6).strip().split("\\s+");
                    return Double.parseDouble(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
