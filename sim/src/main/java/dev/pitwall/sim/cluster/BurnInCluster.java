package dev.pitwall.sim.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A simulated cluster of 8 x H100 nodes under a burn-in campaign: what each tool of a round
 * writes on each node, in the tools' own formats, with run-to-run noise, the harmless blips real
 * fleets show (a second of thermal throttling, a single link flap) and injected faults. Faults
 * are drawn with the shares Meta reported for Llama 3 405B pre-training (see {@link TrainingCluster};
 * software bugs, which a burn-in's known-good load does not meet, are left out), each from a
 * round on; two nodes drift instead: one GPU whose thermal throttling grows round after round,
 * one link whose flaps come faster and faster. Deterministic for a seed: a round's outputs do not
 * depend on the order they are asked for.
 */
public final class BurnInCluster {

    /** What a step does on a node. */
    public enum Outcome {
        /** It ran and wrote its output. */
        OK,
        /** It hung (a collective waiting on a dead peer) and wrote only its header: stopped at its time budget. */
        HUNG,
        /** The node could not be reached: ssh's error is the output. */
        UNREACHABLE,
        /** No simulated tool writes this output. */
        UNKNOWN
    }

    /** The slow drifts a burn-in exists to catch, besides the faults of the Llama 3 mix. */
    enum Drift {
        THROTTLE_GROWS, FLAPS_ACCELERATE
    }

    /** A node's fault, or drift, and the round it starts in. */
    record Injected(TrainingCluster.Fault fault, Drift drift, int fromRound, int gpu) {

        String describe() {
            return (fault != null ? fault.name() : drift.name()) + " from round " + fromRound
                    + (fault != null && perGpu(fault) || drift == Drift.THROTTLE_GROWS ? " on GPU " + gpu : "");
        }

        private static boolean perGpu(TrainingCluster.Fault fault) {
            return switch (fault) {
                case FAULTY_GPU, GPU_HBM3, GPU_SRAM, GPU_SYSTEM_PROCESSOR, GPU_THERMAL, SILENT_DATA_CORRUPTION -> true;
                default -> false;
            };
        }
    }

    private static final String DRIVER = "550.54.15";
    private static final int GPUS = TrainingCluster.GPUS_PER_NODE;

    private final List<String> nodes;
    private final Map<String, Injected> injected;
    private final long seed;

    private BurnInCluster(List<String> nodes, Map<String, Injected> injected, long seed) {
        this.nodes = nodes;
        this.injected = injected;
        this.seed = seed;
    }

    /**
     * @param faulty nodes given a fault of the Llama 3 mix; two more drift
     */
    public static BurnInCluster create(int nodeCount, int faulty, long seed) {
        if (faulty + 2 > nodeCount) {
            throw new IllegalArgumentException(nodeCount + " nodes cannot hold " + faulty + " faults and two drifts");
        }
        List<String> nodes = new ArrayList<>();
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(String.format(Locale.ROOT, "node-%03d", i));
        }
        Random random = new Random(seed);
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        Map<String, Injected> injected = new TreeMap<>();
        for (int i = 0; i < faulty; i++) {
            TrainingCluster.Fault fault;
            do {
                fault = TrainingCluster.Fault.draw(random);
            } while (fault == TrainingCluster.Fault.SOFTWARE_BUG);
            injected.put(shuffled.get(i), new Injected(fault, null, 1 + random.nextInt(4), random.nextInt(GPUS)));
        }
        injected.put(shuffled.get(faulty), new Injected(null, Drift.THROTTLE_GROWS, 1, random.nextInt(GPUS)));
        injected.put(shuffled.get(faulty + 1), new Injected(null, Drift.FLAPS_ACCELERATE, 1, 0));
        return new BurnInCluster(List.copyOf(nodes), injected, seed);
    }

    public List<String> nodes() {
        return nodes;
    }

    /** Each faulty or drifting node and what was done to it. */
    public Map<String, String> faults() {
        Map<String, String> described = new TreeMap<>();
        injected.forEach((node, i) -> described.put(node, i.describe()));
        return described;
    }

    /**
     * Writes what the tool behind {@code output} (its file name, as the shipped burn-in plan names
     * them) prints on {@code node} in {@code round}; exporter outputs whose name contains
     * {@code after} are read after the round's load, the others before it.
     */
    public Outcome write(String output, String node, int round, Path file) throws IOException {
        Injected fault = injected.get(node);
        if (active(fault, round, TrainingCluster.Fault.OTHER_HARDWARE)) {
            Files.writeString(file, "ssh: connect to host " + node + " port 22: No route to host\n");
            return Outcome.UNREACHABLE;
        }
        SplittableRandom random = random(node, round, output);
        int gpu = fault == null ? -1 : fault.gpu();
        String text;
        Outcome outcome = Outcome.OK;
        if (output.equals("nvidia-smi.xml")) {
            text = AcceptanceOutputs.nvidiaSmi(node, DRIVER);
        } else if (output.matches("dcgmi-r[123]\\.json")) {
            int level = output.charAt(7) - '0';
            text = dcgmDiag(level, active(fault, round, TrainingCluster.Fault.FAULTY_GPU) && level == 3 ? gpu : -1,
                    active(fault, round, TrainingCluster.Fault.GPU_HBM3) && level >= 2 ? gpu : -1);
        } else if (output.startsWith("dcgm-exporter") && output.endsWith(".prom")) {
            text = dcgmExporter(node, output.contains("after") ? round : round - 1);
        } else if (output.startsWith("node-exporter") && output.endsWith(".prom")) {
            text = nodeExporter(node, output.contains("after") ? round : round - 1);
        } else if (output.equals("all_reduce_perf.log")) {
            text = AcceptanceOutputs.allReduce(node, 1.0,
                    active(fault, round, TrainingCluster.Fault.SILENT_DATA_CORRUPTION) ? 5 : 0, random);
            if (active(fault, round, TrainingCluster.Fault.NCCL_WATCHDOG)) {
                text = text.lines().limit(14).reduce("", (a, b) -> a + b + "\n");
                outcome = Outcome.HUNG;
            }
        } else if (output.equals("ib_write_bw.log")) {
            double factor = active(fault, round, TrainingCluster.Fault.NIC) ? 0.5
                    : active(fault, round, TrainingCluster.Fault.NETWORK) ? 0.75 : 1.0;
            text = AcceptanceOutputs.ibWriteBw(factor, random);
        } else if (output.equals("fio.json")) {
            text = fio(random);
        } else if (output.equals("gpu_burn.log")) {
            double factor = active(fault, round, TrainingCluster.Fault.GPU_THERMAL) ? 0.8
                    : drifting(fault, round, Drift.THROTTLE_GROWS) ? 1 - 0.01 * (round - fault.fromRound()) : 1.0;
            text = AcceptanceOutputs.gpuBurn(node, active(fault, round, TrainingCluster.Fault.FAULTY_GPU) ? gpu : -1,
                    factor, random);
        } else {
            return Outcome.UNKNOWN;
        }
        Files.writeString(file, text);
        return outcome;
    }

    /** dcgm-exporter's counters at the end of {@code round} (0: before the first). */
    private String dcgmExporter(String node, int round) {
        Injected fault = injected.get(node);
        StringBuilder out = new StringBuilder();
        String[][] families = {
                {"DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C)."},
                {"DCGM_FI_DEV_THERMAL_VIOLATION", "counter", "Throttling duration due to thermal constraints (in us)."},
                {"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "counter", "Total number of double-bit volatile ECC errors."},
                {"DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "counter", "Number of remapped rows for uncorrectable errors"},
                {"DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "Whether remapping of rows has failed"},
                {"DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered."}};
        for (String[] family : families) {
            out.append("# HELP ").append(family[0]).append(' ').append(family[2]).append('\n')
                    .append("# TYPE ").append(family[0]).append(' ').append(family[1]).append('\n');
            for (int gpu = 0; gpu < GPUS; gpu++) {
                double value = switch (family[0]) {
                    case "DCGM_FI_DEV_GPU_TEMP" -> 62 + gpu % 4 + (round > 0 ? 6 : 0);
                    case "DCGM_FI_DEV_THERMAL_VIOLATION" -> throttledMicros(node, gpu, round);
                    case "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL" -> gpuHit(fault, gpu, round, TrainingCluster.Fault.GPU_HBM3)
                            || gpuHit(fault, gpu, round, TrainingCluster.Fault.GPU_SRAM) ? 1 + round - fault.fromRound() : 0;
                    case "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS" ->
                            gpuHit(fault, gpu, round, TrainingCluster.Fault.GPU_HBM3) ? 1 : 0;
                    case "DCGM_FI_DEV_XID_ERRORS" -> gpuHit(fault, gpu, round, TrainingCluster.Fault.GPU_SYSTEM_PROCESSOR) ? 119
                            : gpuHit(fault, gpu, round, TrainingCluster.Fault.GPU_SRAM) ? 48 : 0;
                    default -> 0;
                };
                out.append(String.format(Locale.ROOT,
                        "%s{gpu=\"%d\",UUID=\"GPU-%s-%d\",device=\"nvidia%d\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"%s\"} %s%n",
                        family[0], gpu, node, gpu, gpu, node,
                        value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value)));
            }
        }
        return out.toString();
    }

    /** node-exporter's InfiniBand link-down counter at the end of {@code round}. */
    private String nodeExporter(String node, int round) {
        long downed = 0;
        for (int r = 1; r <= round; r++) {
            downed += flaps(node, r);
        }
        return "# HELP node_infiniband_link_downed_total Number of times the link failed to recover from an error state and went down\n"
                + "# TYPE node_infiniband_link_downed_total counter\n"
                + "node_infiniband_link_downed_total{device=\"mlx5_0\",port=\"1\"} " + downed + "\n"
                + "node_infiniband_link_downed_total{device=\"mlx5_1\",port=\"1\"} 0\n";
    }

    /** Link-down events in one round: a bad cable's bursts, a drifting link's growing count, or a rare blip. */
    private int flaps(String node, int round) {
        Injected fault = injected.get(node);
        if (active(fault, round, TrainingCluster.Fault.NETWORK)) {
            return 3;
        }
        if (drifting(fault, round, Drift.FLAPS_ACCELERATE)) {
            int since = round - fault.fromRound();
            return since < 1 ? 0 : (int) Math.round(Math.pow(1.6, since - 1)); // 0, 1, 2, 3, 4, 7, 10 ...
        }
        return random(node, round, "flap").nextInt(100) == 0 ? 1 : 0;
    }

    /** Microseconds one GPU's clocks were held back for heat, up to the end of {@code round}. */
    private double throttledMicros(String node, int gpu, int round) {
        Injected fault = injected.get(node);
        double total = 0;
        for (int r = 1; r <= round; r++) {
            if (fault != null && fault.gpu() == gpu && active(fault, r, TrainingCluster.Fault.GPU_THERMAL)) {
                total += 60e6;
            } else if (fault != null && fault.gpu() == gpu && drifting(fault, r, Drift.THROTTLE_GROWS)) {
                double since = r - fault.fromRound() + 1;
                total += since * since * 1e6;
            } else {
                SplittableRandom blip = random(node, r, "throttle-" + gpu);
                total += blip.nextInt(40) == 0 ? Math.floor(blip.nextDouble(0.2, 2.0) * 1e6) : 0;
            }
        }
        return total;
    }

    private static boolean gpuHit(Injected fault, int gpu, int round, TrainingCluster.Fault kind) {
        return fault != null && fault.gpu() == gpu && active(fault, round, kind);
    }

    private static boolean active(Injected fault, int round, TrainingCluster.Fault kind) {
        return fault != null && fault.fault() == kind && round >= fault.fromRound();
    }

    private static boolean drifting(Injected fault, int round, Drift drift) {
        return fault != null && fault.drift() == drift && round >= fault.fromRound();
    }

    private SplittableRandom random(String node, int round, String what) {
        return new SplittableRandom(seed * 1_000_003L + (long) node.hashCode() * 7919 + round * 31L + what.hashCode());
    }

    /** dcgmi diag -j at a run level, a GPU's diagnostic or memory test failing when given (else -1). */
    private static String dcgmDiag(int level, int failingDiagnostic, int failingMemory) {
        StringBuilder tests = new StringBuilder();
        tests.append(category("Deployment", List.of(test("Denylist", -1), test("NVML Library", -1),
                test("Persistence Mode", -1), test("Page Retirement/Row Remap", -1))));
        if (level >= 2) {
            tests.append(",\n").append(category("Integration", List.of(test("PCIe", -1))))
                    .append(",\n").append(category("Hardware", List.of(test("GPU Memory", failingMemory),
                            test("Diagnostic", level == 3 ? failingDiagnostic : -1))));
        }
        if (level == 3) {
            tests.append(",\n").append(category("Stress", List.of(test("Targeted Stress", -1),
                    test("Targeted Power", -1), test("Memory Bandwidth", -1))));
        }
        return "{\"DCGM GPU Diagnostic\" : {\"test_categories\" : [\n" + tests + "\n]}}\n";
    }

    private static String category(String name, List<String> tests) {
        return "  {\"category\" : \"" + name + "\", \"tests\" : [" + String.join(", ", tests) + "]}";
    }

    private static String test(String name, int failingGpu) {
        List<String> results = new ArrayList<>();
        for (int gpu = 0; gpu < GPUS; gpu++) {
            boolean fails = gpu == failingGpu;
            results.add("{\"gpu_ids\" : \"" + gpu + "\", \"status\" : \"" + (fails ? "Fail" : "Pass") + "\""
                    + (fails ? ", \"info\" : \"GPU " + gpu + " failed " + name + "\"" : "") + "}");
        }
        return "{\"name\" : \"" + name + "\", \"results\" : [" + String.join(", ", results) + "]}";
    }

    /** fio's JSON for one 4k random-read job at queue depth 64 on local NVMe. */
    private static String fio(SplittableRandom random) {
        double iops = 820_000 * (1 + random.nextDouble(-0.01, 0.01));
        return String.format(Locale.ROOT, """
                {"fio version" : "fio-3.36", "global options" : {"bs" : "4k", "ioengine" : "libaio"},
                 "jobs" : [ {"jobname" : "randread", "error" : 0,
                   "job options" : {"rw" : "randread", "iodepth" : "64", "filename" : "/tmp/pitwall-fio"},
                   "read" : {"io_bytes" : %d, "bw_bytes" : %.0f, "iops" : %.2f, "lat_ns" : {"mean" : 78000.0}}} ]}
                """, (long) (iops * 4096 * 60), iops * 4096, iops);
    }
}
