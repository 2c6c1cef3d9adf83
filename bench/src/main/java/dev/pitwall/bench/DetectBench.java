package dev.pitwall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import dev.pitwall.server.Pitwall;
import dev.pitwall.server.config.PitwallConfig;
import dev.pitwall.server.config.ServerConfig;
import dev.pitwall.trainops.agent.NodeAgent;
import dev.pitwall.trainops.detect.DetectionRule;
import dev.pitwall.trainops.detect.LineSignal;
import dev.pitwall.trainops.detect.LogMatcher;
import dev.pitwall.trainops.detect.LogScanner;
import dev.pitwall.trainops.detect.RuleCatalog;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Detection benchmark. (1) Classification throughput: a generated mixed log (kernel, training and
 * NCCL lines with rare faults, in their real formats) classified by the one-matcher catalog,
 * against ripgrep searching the same patterns in the same file. (2) Detection delay: a line
 * written to a followed log until its incident shows the signal over the HTTP API, through the
 * node agent at its default 1 s interval and a server, both in-process on loopback.
 */
public final class DetectBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What GNU time writes with {@code -f "peak-kb %M"}. */
    private static final Pattern PEAK_KB = Pattern.compile("peak-kb (\\d+)");

    private DetectBench() {
    }

    public static void main(String[] args) throws Exception {
        long megabytes = Long.parseLong(args[0]);
        int samples = Integer.parseInt(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        Path log = work.resolve("mixed.log");
        Path launcher = args.length > 3 ? Path.of(args[3]) : null;
        try {
            long faults = write(log, megabytes * 1024 * 1024);
            double size = Files.size(log) / 1048576.0;
            LogMatcher matcher = new LogMatcher(RuleCatalog.builtIn());
            // Warm the JIT on a slice first, as a long-running service is warm.
            Path slice = work.resolve("warm.log");
            write(slice, 32L * 1024 * 1024);
            new LogScanner(matcher).scan(slice);
            Files.delete(slice);

            long started = System.nanoTime();
            List<LineSignal> signals = new LogScanner(matcher).scan(log);
            double pitwallSeconds = (System.nanoTime() - started) / 1e9;

            List<String> command = new ArrayList<>(List.of("rg", "--count", "--no-filename"));
            for (DetectionRule rule : RuleCatalog.builtIn().rules()) {
                command.add("-e");
                // ripgrep does not need the names, and rejects one name used twice across patterns.
                command.add(rule.pattern().replaceAll("\\(\\?<[a-zA-Z][a-zA-Z0-9]*>", "(?:"));
            }
            command.add(log.toString());
            started = System.nanoTime();
            Process rg = new ProcessBuilder(command).redirectErrorStream(true).start();
            String rgOut = new String(rg.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int rgExit = rg.waitFor();
            double rgSeconds = (System.nanoTime() - started) / 1e9;

            System.out.printf(Locale.ROOT, "log                    %.0f MiB, %d fault lines among the rest%n", size, faults);
            System.out.printf(Locale.ROOT, "pitwall classification %.2f s, %.0f MiB/s, %d signals (rule, severity, fields each)%n",
                    pitwallSeconds, size / pitwallSeconds, signals.size());
            System.out.printf(Locale.ROOT, "ripgrep, same patterns %.2f s, %.0f MiB/s, %s matching lines%s%n", rgSeconds,
                    size / rgSeconds, rgOut, rgExit > 1 ? " (rg exited " + rgExit + ")" : "");
            System.out.printf(Locale.ROOT, "ratio                  %.2f of ripgrep's throughput (target: at least 0.33)%n",
                    rgSeconds / pitwallSeconds);
            if (launcher != null) {
                command(launcher, log, size, rgSeconds);
            }
        } finally {
            Files.deleteIfExists(log);
        }
        delay(work, samples);
        ingest(work);
    }

    /**
     * Pushed lines into signals: batches of the mixed log's lines as JSON lines to
     * {@code /api/ingest/logs} of a server on loopback, each line detected and its signals stored
     * and correlated, one batch at a time. The server's CPU is the process's less the client's (this
     * thread and the JDK HTTP client's threads); the collector's and compiler's threads count as the
     * server's, so its lines per CPU-second is a lower bound.
     */
    static void ingest(Path work) throws Exception {
        Path slice = work.resolve("ingest.log");
        write(slice, 4L * 1024 * 1024);
        List<String> lines = Files.readAllLines(slice, StandardCharsets.ISO_8859_1);
        Files.delete(slice);
        int perBatch = 20_000;
        int batches = 60;
        // The first third warms the JIT and is not counted: ten batches left it still compiling
        // (three runs in one JVM went 110k, 130k, 144k lines per server CPU-second).
        int warmUp = batches / 3;
        List<String> bodies = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < perBatch; i++) {
                int at = (b * perBatch + i) % lines.size();
                body.append(JSON.writeValueAsString(Map.of("node", "gpu-a" + (at % 64), "source", "kernel",
                        "line", lines.get(at)))).append('\n');
            }
            bodies.add(body.toString());
        }
        var cpu = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        HttpClient http = HttpClient.newHttpClient();
        try (Pitwall pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(work.resolve("ingest-data"))
                .withServer(new ServerConfig("127.0.0.1", 0, 64L << 20, Duration.ofSeconds(5), false)), Clock.systemUTC())) {
            URI uri = URI.create("http://127.0.0.1:" + pitwall.port() + "/api/ingest/logs");
            long signals = 0;
            long cpuStarted = 0;
            long clientCpuStarted = 0;
            long started = 0;
            for (int b = 0; b < batches; b++) {
                if (b == warmUp) {
                    cpuStarted = cpu.getProcessCpuTime();
                    clientCpuStarted = clientCpuNanos();
                    started = System.nanoTime();
                    signals = 0;
                }
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString(bodies.get(b % bodies.size()))).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode reply = JSON.readTree(answer.body());
                if (answer.statusCode() != 200 || reply.path("accepted").asInt() != perBatch) {
                    throw new IllegalStateException("ingest answered " + answer.statusCode() + ": " + answer.body());
                }
                signals += reply.path("signals").asLong();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpuSeconds = (cpu.getProcessCpuTime() - cpuStarted) / 1e9;
            double clientCpuSeconds = (clientCpuNanos() - clientCpuStarted) / 1e9;
            long counted = (long) (batches - warmUp) * perBatch;
            System.out.printf(Locale.ROOT, "ingest of pushed lines %d lines in %.2f s: %.0f lines/s, %.0f lines per server "
                    + "CPU-second (%.2f of %.2f CPU-s, the rest the client's), %d signals stored (target: 100,000 lines/s "
                    + "per core)%n", counted, seconds, counted / seconds, counted / (cpuSeconds - clientCpuSeconds),
                    cpuSeconds - clientCpuSeconds, cpuSeconds, signals);
        }
    }

    /** CPU time the benchmark's client has used: this thread's and the JDK HTTP client's own threads'. */
    static long clientCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = threads.getCurrentThreadCpuTime();
        for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (thread != null && thread.getThreadName().startsWith("HttpClient-")) {
                nanos += Math.max(0, threads.getThreadCpuTime(thread.getThreadId()));
            }
        }
        return nanos;
    }

    /**
     * The whole command as a user runs it ({@code ./pitwall detect FILE}: JVM start, a cold JIT),
     * the median of three runs, each under GNU time for its peak resident memory.
     */
    static void command(Path launcher, Path log, double size, double rgSeconds) throws IOException, InterruptedException {
        double[] seconds = new double[3];
        long peakKb = 0;
        for (int run = 0; run < seconds.length; run++) {
            long started = System.nanoTime();
            Process p = new ProcessBuilder("/usr/bin/time", "-f", "peak-kb %M", launcher.toString(), "detect", log.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String timeReport = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            seconds[run] = (System.nanoTime() - started) / 1e9;
            // detect exits 1 when it finds signals, as it does here; anything else is a failed run.
            if (exit > 1) {
                throw new IllegalStateException("pitwall detect exited " + exit + ": " + timeReport.strip());
            }
            Matcher peak = PEAK_KB.matcher(timeReport);
            if (peak.find()) {
                peakKb = Math.max(peakKb, Long.parseLong(peak.group(1)));
            }
        }
        Arrays.sort(seconds);
        double median = seconds[1];
        System.out.printf(Locale.ROOT, "./pitwall detect FILE  %.2f s (median of 3, JVM start included), %.0f MiB/s, peak %d MiB "
                + "resident; %.2f of ripgrep's throughput (target: at least 1)%n", median, size / median, peakKb / 1024, rgSeconds / median);
    }

    /** Writes a mixed log of about {@code bytes}; answers how many fault lines it holds. */
    static long write(Path file, long bytes) throws IOException {
        Random random = new Random(7);
        long written = 0;
        long faults = 0;
        long iteration = 1;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.ISO_8859_1)) {
            while (written < bytes) {
                String line;
                int pick = random.nextInt(10_000);
                double t = written / 1e4;
                if (pick < 5) {
                    faults++;
                    line = switch (pick) {
                        case 0 -> String.format(Locale.ROOT, "[%12.6f] NVRM: Xid (PCI:0000:%02x:00): 79, pid=%d, name=python, "
                                + "GPU has fallen off the bus.", t, random.nextInt(256), random.nextInt(99_999));
                        case 1 -> "[rank" + random.nextInt(512) + "]:[E ProcessGroupNCCL.cpp:607] Watchdog caught collective "
                                + "operation timeout: WorkNCCL(SeqNum=" + iteration + ", OpType=ALLREDUCE, Timeout(ms)=600000) "
                                + "ran for 600123 milliseconds before timing out.";
                        case 2 -> "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 3 has a total "
                                + "capacity of 79.10 GiB of which 1.06 GiB is free.";
                        case 3 -> String.format(Locale.ROOT, "[%12.6f] NVRM: Xid (PCI:0000:%02x:00): 48, pid=%d, name=python, An "
                                + "uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at "
                                + "partition 0, subpartition 0.", t, random.nextInt(256), random.nextInt(99_999));
                        default -> " iteration " + iteration + "/ 100000 | lm loss: nan | loss scale: 1.0 |";
                    };
                } else if (pick < 800) {
                    line = String.format(Locale.ROOT, " iteration %8d/  100000 | consumed samples: %12d | elapsed time per "
                                    + "iteration (ms): %.1f | learning rate: 2.999E-04 | global batch size:  1024 | lm loss: "
                                    + "%.6E | loss scale: 1.0 | grad norm: %.3f | number of skipped iterations:   0 | number "
                                    + "of nan iterations:   0 |", iteration, iteration * 1024, 800 + random.nextDouble() * 50,
                            2 + random.nextDouble(), 0.5 + random.nextDouble());
                    iteration++;
                } else if (pick < 1000) {
                    line = "gpu-a" + random.nextInt(64) + ":" + random.nextInt(99_999) + ":" + random.nextInt(99_999)
                            + " [" + random.nextInt(8) + "] NCCL INFO Channel " + random.nextInt(32) + "/0 : " + random.nextInt(512)
                            + "[" + random.nextInt(8) + "] -> " + random.nextInt(512) + "[" + random.nextInt(8)
                            + "] [send] via NET/IB/" + random.nextInt(8) + "/GDRDMA";
                } else {
                    line = String.format(Locale.ROOT, "[%12.6f] %s", t, switch (random.nextInt(4)) {
                        case 0 -> "systemd[1]: Started Session " + random.nextInt(9999) + " of user root.";
                        case 1 -> "audit: type=1400 audit(" + random.nextInt() + ".123:45): apparmor=\"STATUS\" operation=\"profile_load\"";
                        case 2 -> "mlx5_core 0000:" + Integer.toHexString(random.nextInt(256)) + ":00.0: poll_health: device's "
                                + "health compromised - reached miss count";
                        default -> "kernel: EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Quota mode: none.";
                    });
                }
                out.write(line);
                out.write('\n');
                written += line.length() + 1;
            }
        }
        return faults;
    }

    /** Times a written line until its signal is counted in its incident, {@code samples} times. */
    static void delay(Path work, int samples) throws Exception {
        Path data = work.resolve("delay-data");
        Path kernel = work.resolve("kern.log");
        Files.writeString(kernel, "");
        HttpClient http = HttpClient.newHttpClient();
        double[] seconds = new double[samples];
        try (Pitwall pitwall = Pitwall.start(PitwallConfig.defaults().withDataDir(data)
                .withServer(new ServerConfig("127.0.0.1", 0, 1 << 20, Duration.ofSeconds(5), false)), Clock.systemUTC());
             NodeAgent agent = new NodeAgent(new NodeAgent.Settings(URI.create("http://127.0.0.1:" + pitwall.port()),
                     "gpu-a07", kernel.toString(), List.of(), work.resolve("spool"), null, null), Clock.systemUTC())) {
            AtomicBoolean running = new AtomicBoolean(true);
            Thread loop = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try {
                        agent.step();
                        Thread.sleep(1000); // the agent's default interval
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            URI incidents = URI.create("http://127.0.0.1:" + pitwall.port() + "/api/incidents?limit=1");
            for (int i = 0; i < samples; i++) {
                long written = System.nanoTime();
                Files.writeString(kernel, "NVRM: Xid (PCI:0000:3b:00): 79, pid=" + i + ", name=python, GPU has fallen off the bus.\n",
                        StandardOpenOption.APPEND);
                while (true) {
                    JsonNode list = JSON.readTree(http.send(HttpRequest.newBuilder(incidents).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    if (!list.isEmpty() && list.get(0).path("signals").asInt() == i + 1) {
                        break;
                    }
                    Thread.sleep(5);
                }
                seconds[i] = (System.nanoTime() - written) / 1e9;
                Thread.sleep(137 * (i % 7)); // land at different points of the agent's interval
            }
            running.set(false);
            loop.interrupt();
        }
        Arrays.sort(seconds);
        System.out.printf(Locale.ROOT, "line to incident       p50 %.2f s, max %.2f s over %d lines (agent interval 1 s; target: "
                + "within 2 s)%n", seconds[seconds.length / 2], seconds[seconds.length - 1], samples);
    }
}
