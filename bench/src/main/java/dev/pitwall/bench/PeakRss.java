package dev.pitwall.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A child process's peak resident memory, as Linux keeps it (VmHWM in /proc/PID/status). */
final class PeakRss {

    private PeakRss() {
    }

    /** Waits for {@code process} to end, sampling its peak RSS every 20 ms; answers it in KiB. */
    static long await(Process process) throws InterruptedException {
        long peakKib = 0;
        while (process.isAlive()) {
            peakKib = Math.max(peakKib, of(process.pid()));
            Thread.sleep(20);
        }
        return peakKib;
    }

    /** This process's peak resident memory so far, in KiB. */
    static long ofThisProcess() {
        return of(ProcessHandle.current().pid());
    }

    private static long of(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // The process ended between the check and the read.
        }
        return 0;
    }
}
