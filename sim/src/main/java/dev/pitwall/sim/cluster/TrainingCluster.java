package dev.pitwall.sim.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A simulated GPU training cluster: N nodes of 8 GPUs running one job. Each node writes a kernel
 * log and a job log in the real formats (NVRM Xid lines, Megatron iteration lines, PyTorch NCCL
 * watchdog lines) under its own folder, and the cluster serves dcgm-exporter metrics for every
 * GPU at {@link #metricsUri()}. Faults are injected every {@code faultEvery}, each of a kind drawn
 * with the proportions Meta reported for 419 unexpected interruptions of Llama 3 405B
 * pre-training on 16,384 H100s over 54 days (Dubey et al. 2024, "The Llama 3 Herd of Models",
 * Table 5). Real clusters fail far less often per node: the interval compresses time so a small
 * demo shows incidents within minutes. A fault stops the job; it resumes from its last checkpoint
 * a few steps later.
 */
public final class TrainingCluster implements AutoCloseable {

    /**
     * Fault kinds and their share of interruptions (percent), Llama 3 paper Table 5; kinds with
     * no log or metric trace of their own (planned host maintenance) are left out, the rare
     * remaining hardware causes (SSD, power supply, chassis, I/O board, CPU, memory) grouped.
     */
    enum Fault {
        FAULTY_GPU(30.1), GPU_HBM3(17.2), SOFTWARE_BUG(12.9), NETWORK(8.4), GPU_SRAM(4.5), GPU_SYSTEM_PROCESSOR(4.1),
        NIC(1.7), NCCL_WATCHDOG(1.7), SILENT_DATA_CORRUPTION(1.4), GPU_THERMAL(1.4), OTHER_HARDWARE(3.8);

        final double share;

        Fault(double share) {
            this.share = share;
        }

        static Fault draw(Random random) {
            double total = 0;
            for (Fault f : values()) {
                total += f.share;
            }
            double pick = random.nextDouble() * total;
            for (Fault f : values()) {
                pick -= f.share;
                if (pick < 0) {
                    return f;
                }
            }
            return FAULTY_GPU;
        }
    }

    /**
     * The faults a drill performs on the cluster, as the real ones show: a rank killed, a rank hung
     * (only the other ranks' NCCL watchdog timeouts say so), a NIC's link down, a node gone
     * silent, a checkpoint write into a full disk. Each stops the job, which resumes from its last
     * checkpoint a few steps later.
     */
    public enum Drill {
        KILL_RANK("kill-rank"), HANG_RANK("hang-rank"), NIC_DOWN("nic-down"), NODE_NOT_READY("node-not-ready"),
        DISK_FULL("disk-full");

        public final String scenario;

        Drill(String scenario) {
            this.scenario = scenario;
        }

        public static Optional<Drill> of(String scenario) {
            return Arrays.stream(values()).filter(d -> d.scenario.equals(scenario)).findFirst();
        }
    }

    public static final int GPUS_PER_NODE = 8;
    /** Steps a fault keeps the job down before it restarts from its checkpoint. */
    private static final int DOWN_STEPS = 5;
    private static final int CHECKPOINT_EVERY = 50;

    private final Path dir;
    private final List<String> nodes;
    private final Random random;
    /** Apart from the steps' noise, so the sequence of faults depends on the seed alone. */
    private final Random faults;
    private final Clock clock;
    private final HttpServer metrics;
    private final ScheduledExecutorService ticker;
    private long iteration = 1;
    private int downSteps;
    private double loss = 7.5;
    /** Node index and GPU with a thermal slowdown, and until when. */
    private int hotNode = -1;
    private int hotGpu;
    private Instant hotUntil = Instant.MIN;
    private final List<Fault> injected = new ArrayList<>();
    /** The cluster's own faults wait this long after a drill, so the drill measures its fault alone. */
    static final Duration QUIET_AFTER_DRILL = Duration.ofMinutes(5);
    private Instant lastDrill = Instant.MIN;
    private final Instant started;
    /** Per node and GPU: the last Xid, as dcgm-exporter's DCGM_FI_DEV_XID_ERRORS shows it. */
    private final int[][] lastXid;
    private final int[][] remappedRows;

    private TrainingCluster(Path dir, int nodeCount, long seed, Clock clock) throws IOException {
        this.dir = dir;
        this.random = new Random(seed);
        this.faults = new Random(seed * 0x9E3779B97F4A7C15L); // spread small seeds: their first draws are alike
        this.clock = clock;
        this.started = clock.instant();
        this.lastXid = new int[nodeCount][GPUS_PER_NODE];
        this.remappedRows = new int[nodeCount][GPUS_PER_NODE];
        this.nodes = new ArrayList<>();
        for (int n = 1; n <= nodeCount; n++) {
            String node = String.format(Locale.ROOT, "gpu-c%02d", n);
            nodes.add(node);
            Files.createDirectories(dir.resolve(node));
            Files.writeString(kernelLog(node), "", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Files.writeString(jobLog(node), "", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        this.metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        metrics.createContext("/metrics", exchange -> {
            byte[] body = exposition().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        metrics.createContext("/drills/", exchange -> {
            String scenario = exchange.getRequestURI().getPath().substring("/drills/".length());
            Optional<Drill> drill = Drill.of(scenario);
            int status;
            String answer;
            if (!exchange.getRequestMethod().equals("POST")) {
                status = 405;
                answer = "{\"error\":\"POST /drills/<scenario> performs a fault\"}";
            } else if (drill.isEmpty()) {
                status = 404;
                answer = "{\"error\":\"no scenario '" + scenario.replace("\"", "") + "'; the scenarios are "
                        + String.join(", ", Arrays.stream(Drill.values()).map(d -> d.scenario).toList()) + "\"}";
            } else {
                String node = drill(drill.get());
                status = 200;
                answer = "{\"scenario\":\"" + scenario + "\",\"node\":\"" + node + "\"}";
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        metrics.start();
        this.ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("sim-cluster").factory());
    }

    /** Starts the cluster: a training step every {@code stepEvery}, the first fault after {@code firstFault}, then one every {@code faultEvery}. */
    public static TrainingCluster start(Path dir, int nodes, long seed, Duration stepEvery, Duration firstFault,
                                        Duration faultEvery) throws IOException {
        TrainingCluster cluster = new TrainingCluster(dir, nodes, seed, Clock.systemUTC());
        cluster.ticker.scheduleAtFixedRate(cluster::safeStep, 0, stepEvery.toMillis(), TimeUnit.MILLISECONDS);
        cluster.ticker.scheduleAtFixedRate(cluster::safeFault, firstFault.toMillis(), faultEvery.toMillis(),
                TimeUnit.MILLISECONDS);
        return cluster;
    }

    /** A cluster driven by hand ({@link #step()}, {@link #inject}), for tests. */
    static TrainingCluster manual(Path dir, int nodes, long seed, Clock clock) throws IOException {
        return new TrainingCluster(dir, nodes, seed, clock);
    }

    public List<String> nodes() {
        return nodes;
    }

    public Path kernelLog(String node) {
        return dir.resolve(node).resolve("kern.log");
    }

    public Path jobLog(String node) {
        return dir.resolve(node).resolve("train.log");
    }

    /** Where a drill performs a fault: POST {@code drillUri(scenario)}. */
    public URI drillUri(Drill drill) {
        return URI.create("http://127.0.0.1:" + metrics.getAddress().getPort() + "/drills/" + drill.scenario);
    }

    public URI metricsUri() {
        return URI.create("http://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics");
    }

    synchronized List<Fault> injected() {
        return List.copyOf(injected);
    }

    private void safeStep() {
        try {
            step();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void safeFault() {
        try {
            synchronized (this) {
                if (clock.instant().isBefore(lastDrill.plus(QUIET_AFTER_DRILL))) {
                    return;
                }
            }
            inject(Fault.draw(faults));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One training step on rank 0's node, or one step of waiting while the job is down. */
    synchronized void step() throws IOException {
        if (downSteps > 0) {
            if (--downSteps == 0) {
                // Restarted from the last checkpoint.
                iteration = Math.max(1, iteration - iteration % CHECKPOINT_EVERY);
                append(jobLog(nodes.getFirst()), "[rank0]: resuming training from checkpoint at iteration " + iteration);
            }
            return;
        }
        loss = Math.max(1.8, loss * 0.997 + random.nextGaussian() * 0.01);
        double stepMs = 2000 * (1 + random.nextGaussian() * 0.01) * (hotNode >= 0 && clock.instant().isBefore(hotUntil) ? 1.4 : 1);
        append(jobLog(nodes.getFirst()), String.format(Locale.ROOT, " iteration %8d/  500000 | consumed samples: %12d | "
                        + "elapsed time per iteration (ms): %.1f | learning rate: 3.000E-04 | global batch size:  1024 | "
                        + "lm loss: %.6E | loss scale: 1.0 | grad norm: %.3f | number of skipped iterations:   0 | "
                        + "number of nan iterations:   0 |", iteration, iteration * 1024, stepMs, loss,
                0.8 + random.nextDouble() * 0.2));
        iteration++;
        if (random.nextInt(20) == 0) {
            String node = nodes.get(random.nextInt(nodes.size()));
            append(kernelLog(node), kernelPrefix() + "systemd[1]: Started Session " + random.nextInt(9999) + " of user root.");
        }
    }

    /**
     * Performs a drill's fault: writes what the failing node and the job's ranks would and stops
     * the job; the cluster's own faults hold off for {@link #QUIET_AFTER_DRILL}. Returns the node it hit.
     */
    public synchronized String drill(Drill drill) throws IOException {
        lastDrill = clock.instant();
        int n = random.nextInt(nodes.size());
        String node = nodes.get(n);
        int rank = n * GPUS_PER_NODE + random.nextInt(GPUS_PER_NODE);
        int pid = 10_000 + random.nextInt(50_000);
        switch (drill) {
            case KILL_RANK -> {
                append(jobLog(node), "E1202 torch/distributed/elastic/multiprocessing/api.py:833] failed (exitcode: -9) "
                        + "local_rank: " + rank % GPUS_PER_NODE + " (pid: " + pid + ") of binary: /usr/bin/python");
                append(jobLog(node), "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:");
            }
            case NIC_DOWN -> append(kernelLog(node), kernelPrefix() + "mlx5_core 0000:" + String.format(Locale.ROOT,
                    "%02x", 0x18 + random.nextInt(8) * 0x10) + ":00.0 mlx5_" + random.nextInt(8) + ": Link down");
            case DISK_FULL -> append(jobLog(nodes.getFirst()), "[rank0]: OSError: [Errno 28] No space left on device: "
                    + "'/checkpoints/iter_" + String.format(Locale.ROOT, "%07d", iteration) + "/mp_rank_00/model_optim_rng.pt'");
            case HANG_RANK, NODE_NOT_READY -> {
                // Nothing from the node itself: the hung rank or the node gone says nothing; the others time out.
            }
        }
        stopJob(drill == Drill.NODE_NOT_READY ? n : -1);
        return node;
    }

    /** Every rank's NCCL watchdog timeout, but those of the node gone silent ({@code -1}: none), and the job down. */
    private void stopJob(int silent) throws IOException {
        for (int r = 0; r < nodes.size(); r++) {
            if (r != silent) {
                append(jobLog(nodes.get(r)), "[rank" + r * GPUS_PER_NODE + "]:[E ProcessGroupNCCL.cpp:632] Watchdog caught "
                        + "collective operation timeout: WorkNCCL(SeqNum=" + iteration + ", OpType=ALLREDUCE, NumelIn=262144, "
                        + "NumelOut=262144, Timeout(ms)=600000) ran for 600041 milliseconds before timing out.");
            }
        }
        downSteps = DOWN_STEPS;
    }

    /** Writes a fault's lines, as the failing node and the job's ranks would, and stops the job. */
    synchronized void inject(Fault fault) throws IOException {
        injected.add(fault);
        int n = random.nextInt(nodes.size());
        String node = nodes.get(n);
        int gpu = random.nextInt(GPUS_PER_NODE);
        String pci = String.format(Locale.ROOT, "0000:%02x:00", 0x18 + gpu * 0x10);
        int pid = 10_000 + random.nextInt(50_000);
        boolean stopsJob = true;
        switch (fault) {
            case FAULTY_GPU -> xid(n, gpu, pci, 79, pid, "GPU has fallen off the bus.");
            case GPU_HBM3 -> {
                remappedRows[n][gpu]++;
                xid(n, gpu, pci, 48, pid, "An uncorrectable double bit error (DBE) has been detected on GPU in the "
                        + "framebuffer at partition 0, subpartition 0.");
                xid(n, gpu, pci, 63, pid, "Row Remapper: New row marked for remapping, reset gpu to activate.");
            }
            case SOFTWARE_BUG -> {
                append(jobLog(node), "[rank" + n * GPUS_PER_NODE + "]: RuntimeError: CUDA error: an illegal memory access "
                        + "was encountered");
                append(jobLog(nodes.getFirst()), "[launcher] sigkill_handler: Killing subprocess " + pid);
            }
            case NETWORK -> append(kernelLog(node), kernelPrefix() + "mlx5_core 0000:" + pci.substring(5) + ".0 mlx5_"
                    + random.nextInt(8) + ": Link down");
            case GPU_SRAM -> xid(n, gpu, pci, 95, pid, "Uncontained ECC error.");
            case GPU_SYSTEM_PROCESSOR -> xid(n, gpu, pci, 119, pid, "Timeout after 6s of waiting for RPC response from GPU0 "
                    + "GSP!");
            case NIC -> append(kernelLog(node), kernelPrefix() + "ib" + random.nextInt(8) + ": lost carrier");
            case NCCL_WATCHDOG -> {
                // Only the timeouts: no node says why.
            }
            case SILENT_DATA_CORRUPTION -> append(jobLog(nodes.getFirst()), String.format(Locale.ROOT,
                    " iteration %8d/  500000 | elapsed time per iteration (ms): 2001.3 | lm loss: nan | loss scale: 1.0 | "
                            + "number of nan iterations:   1 |", iteration));
            case GPU_THERMAL -> {
                hotNode = n;
                hotGpu = random.nextInt(GPUS_PER_NODE);
                hotUntil = clock.instant().plus(Duration.ofMinutes(2));
                stopsJob = false;
            }
            case OTHER_HARDWARE -> append(kernelLog(node), kernelPrefix() + "pcieport 0000:00:01.0: AER: PCIe Bus Error: "
                    + "severity=Uncorrected (Fatal), type=Transaction Layer, (Receiver ID)");
        }
        if (stopsJob) {
            stopJob(-1);
        }
    }

    private void xid(int n, int gpu, String pci, int code, int pid, String text) throws IOException {
        lastXid[n][gpu] = code;
        append(kernelLog(nodes.get(n)), kernelPrefix() + "NVRM: Xid (PCI:" + pci + "): " + code + ", pid=" + pid + ", name=python, "
                + text);
    }

    /** dmesg's seconds since boot. */
    private String kernelPrefix() {
        return String.format(Locale.ROOT, "[%12.6f] ", (clock.millis() % 10_000_000_000L) / 1000.0);
    }

    private static void append(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardOpenOption.APPEND);
    }

    /**
     * One field of dcgm-exporter's default counters file (etc/default-counters.csv): its name,
     * type and help as the exporter writes them. SM activity and the other fields it leaves off by
     * default are absent here as on a cluster that kept the defaults. The clock event reasons are
     * not in the file either but Pitwall's thermal detection reads them, so they are served too.
     */
    private record Field(String name, String type, String help) {
    }

    private static final List<Field> FIELDS = List.of(
            new Field("DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz)."),
            new Field("DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock frequency (in MHz)."),
            new Field("DCGM_FI_DEV_MEMORY_TEMP", "gauge", "Memory temperature (in C)."),
            new Field("DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C)."),
            new Field("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W)."),
            new Field("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "Total energy consumption since boot (in mJ)."),
            new Field("DCGM_FI_DEV_PCIE_TX_THROUGHPUT", "counter",
                    "Total number of bytes transmitted through PCIe TX (in KB) via NVML."),
            new Field("DCGM_FI_DEV_PCIE_RX_THROUGHPUT", "counter",
                    "Total number of bytes received through PCIe RX (in KB) via NVML."),
            new Field("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter", "Total number of PCIe retries."),
            new Field("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %)."),
            new Field("DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory utilization (in %)."),
            new Field("DCGM_FI_DEV_ENC_UTIL", "gauge", "Encoder utilization (in %)."),
            new Field("DCGM_FI_DEV_DEC_UTIL", "gauge", "Decoder utilization (in %)."),
            new Field("DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered."),
            new Field("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB)."),
            new Field("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB)."),
            new Field("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "counter",
                    "Total number of NVLink bandwidth counters for all lanes"),
            new Field("DCGM_FI_DEV_VGPU_LICENSE_STATUS", "gauge", "vGPU License status"),
            new Field("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "counter",
                    "Number of remapped rows for uncorrectable errors"),
            new Field("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "counter", "Number of remapped rows for correctable errors"),
            new Field("DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "Whether remapping of rows has failed"),
            new Field("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "Ratio of time the graphics engine is active."),
            new Field("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "gauge", "Ratio of cycles the tensor (HMMA) pipe is active."),
            new Field("DCGM_FI_PROF_DRAM_ACTIVE", "gauge",
                    "Ratio of cycles the device memory interface is active sending or receiving data."),
            new Field("DCGM_FI_PROF_PCIE_TX_BYTES", "counter",
                    "The number of bytes of active pcie tx data including both header and payload."),
            new Field("DCGM_FI_PROF_PCIE_RX_BYTES", "counter",
                    "The number of bytes of active pcie rx data including both header and payload."),
            new Field("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", "gauge",
                    "Current clock event reasons (bitmask of DCGM_CLOCKS_EVENT_REASON_*)"));

    /** dcgm-exporter's exposition for every GPU, with its default counters; all GPUs belong to the job. */
    synchronized String exposition() {
        boolean hot = hotNode >= 0 && clock.instant().isBefore(hotUntil);
        boolean down = downSteps > 0;
        // Counters grow with time since the cluster started, at rates of a busy H100.
        double seconds = Duration.between(started, clock.instant()).toMillis() / 1000.0 + 86_400;
        StringBuilder out = new StringBuilder();
        for (Field field : FIELDS) {
            out.append("# HELP ").append(field.name()).append(' ').append(field.help()).append('\n');
            out.append("# TYPE ").append(field.name()).append(' ').append(field.type()).append('\n');
            for (int n = 0; n < nodes.size(); n++) {
                for (int g = 0; g < GPUS_PER_NODE; g++) {
                    boolean thisHot = hot && n == hotNode && g == hotGpu;
                    double value = switch (field.name()) {
                        case "DCGM_FI_DEV_SM_CLOCK" -> thisHot ? 1410 : 1980;
                        case "DCGM_FI_DEV_MEM_CLOCK" -> 2619;
                        case "DCGM_FI_DEV_MEMORY_TEMP" -> 48 + random.nextInt(8) + (thisHot ? 30 : 0);
                        case "DCGM_FI_DEV_GPU_TEMP" -> down ? 38 : 58 + random.nextInt(10) + (thisHot ? 28 : 0);
                        case "DCGM_FI_DEV_POWER_USAGE" -> down ? 95 : 610 + random.nextInt(80);
                        case "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION" -> Math.floor(seconds * 650_000);
                        case "DCGM_FI_DEV_PCIE_TX_THROUGHPUT", "DCGM_FI_DEV_PCIE_RX_THROUGHPUT" -> Math.floor(seconds * 2_000_000);
                        case "DCGM_FI_DEV_GPU_UTIL" -> down ? 0 : 93 + random.nextInt(6);
                        case "DCGM_FI_DEV_MEM_COPY_UTIL" -> down ? 0 : 35 + random.nextInt(10);
                        case "DCGM_FI_DEV_XID_ERRORS" -> lastXid[n][g];
                        case "DCGM_FI_DEV_FB_FREE" -> down ? 80_500 : 6_100;
                        case "DCGM_FI_DEV_FB_USED" -> down ? 500 : 74_900;
                        case "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL" -> Math.floor(seconds * 180_000_000);
                        case "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS" -> remappedRows[n][g];
                        case "DCGM_FI_PROF_GR_ENGINE_ACTIVE" -> down ? 0 : 0.84 + random.nextDouble() * 0.05;
                        case "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE" -> down ? 0 : 0.41 + random.nextDouble() * 0.05;
                        case "DCGM_FI_PROF_DRAM_ACTIVE" -> down ? 0 : 0.32 + random.nextDouble() * 0.05;
                        case "DCGM_FI_PROF_PCIE_TX_BYTES", "DCGM_FI_PROF_PCIE_RX_BYTES" -> Math.floor(seconds * 2.1e9);
                        case "DCGM_FI_DEV_CLOCKS_EVENT_REASONS" -> thisHot ? 0x80 | 0x4 : 0;
                        default -> 0; // encoder and decoder, PCIe replays, vGPU licence (none), row-remap failure
                    };
                    out.append(String.format(Locale.ROOT, "%s{gpu=\"%d\",UUID=\"GPU-%08x-0000-0000-0000-%012d\",pci_bus_id="
                                    + "\"00000000:%02X:00.0\",device=\"nvidia%d\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname="
                                    + "\"%s\",DCGM_FI_DRIVER_VERSION=\"550.54.15\",container=\"pytorch\",namespace=\"research\","
                                    + "pod=\"llama-pretrain-%d\"} %s%n", field.name(), g, n, g, 0x18 + g * 0x10, g,
                            nodes.get(n), n, value == Math.rint(value) && Math.abs(value) < 1e15
                                    ? Long.toString((long) value) : String.format(Locale.ROOT, "%.6f", value)));
                }
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        metrics.stop(0);
    }
}
