package dev.pitwall.sim.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A simulated acceptance run: for each node of an 8-GPU H100 cluster, the outputs the real
 * tools would write (nvidia-smi -q -x, all_reduce_perf, gpu-burn, ib_write_bw), in their own
 * formats, with small run-to-run noise and the faults asked for. Deterministic for a seed.
 */
public final class AcceptanceOutputs {

    /** What is wrong with a node, if anything. */
    public enum Fault {
        /** Healthy. */
        NONE,
        /** All-reduce bandwidth at about 60%: a degraded NVLink/NVSwitch path or NIC. */
        SLOW_NCCL,
        /** One GPU reports errors in gpu-burn and is declared faulty. */
        FAULTY_GPU,
        /** The node runs another driver than the fleet. */
        OTHER_DRIVER
    }

    /** One node and its fault. */
    public record Node(String name, Fault fault) {
    }

    private static final String GPU = "NVIDIA H100 80GB HBM3";
    private static final String DRIVER = "550.54.15";
    private static final String OTHER_DRIVER = "535.183.01";
    private static final int GPUS = 8;

    private AcceptanceOutputs() {
    }

    /** Writes {@code <dir>/<node>/…} for every node. */
    public static void write(Path dir, List<Node> nodes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        for (Node node : nodes) {
            Path folder = Files.createDirectories(dir.resolve(node.name()));
            Files.writeString(folder.resolve("nvidia-smi.xml"), nvidiaSmi(node.name(),
                    node.fault() == Fault.OTHER_DRIVER ? OTHER_DRIVER : DRIVER));
            Files.writeString(folder.resolve("all_reduce_perf.log"), allReduce(node.name(),
                    node.fault() == Fault.SLOW_NCCL ? 0.6 : 1.0, 0, random.split()));
            Files.writeString(folder.resolve("gpu_burn.log"), gpuBurn(node.name(),
                    node.fault() == Fault.FAULTY_GPU ? FAULTY_GPU : -1, 1.0, random.split()));
            Files.writeString(folder.resolve("ib_write_bw.log"), ibWriteBw(1.0, random.split()));
        }
    }

    /** The demo's cluster: eight nodes, one slow in NCCL, one with a faulty GPU, one on another driver. */
    public static List<Node> demoCluster() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            Fault fault = switch (i) {
                case 4 -> Fault.SLOW_NCCL;
                case 6 -> Fault.FAULTY_GPU;
                case 7 -> Fault.OTHER_DRIVER;
                default -> Fault.NONE;
            };
            nodes.add(new Node(String.format(Locale.ROOT, "gpu-b%02d", i), fault));
        }
        return nodes;
    }

    /** The GPU the demo's faulty node has. */
    private static final int FAULTY_GPU = 5;

    /** nvidia-smi -q -x of an 8 x H100 node on {@code driver}. */
    static String nvidiaSmi(String node, String driver) {
        StringBuilder xml = new StringBuilder("""
                <?xml version="1.0" ?>
                <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
                <nvidia_smi_log>
                """);
        xml.append("  <driver_version>").append(driver)
                .append("</driver_version>\n  <cuda_version>12.4</cuda_version>\n")
                .append("  <attached_gpus>").append(GPUS).append("</attached_gpus>\n");
        for (int gpu = 0; gpu < GPUS; gpu++) {
            xml.append(String.format(Locale.ROOT, """
                      <gpu id="00000000:%02X:00.0">
                        <product_name>%s</product_name>
                        <product_architecture>Hopper</product_architecture>
                        <persistence_mode>Enabled</persistence_mode>
                        <mig_mode><current_mig>Disabled</current_mig><pending_mig>Disabled</pending_mig></mig_mode>
                        <serial>16501%08d</serial>
                        <uuid>GPU-%s-%d</uuid>
                        <vbios_version>96.00.99.00.01</vbios_version>
                        <fb_memory_usage><total>81559 MiB</total><used>0 MiB</used></fb_memory_usage>
                        <ecc_mode><current_ecc>Enabled</current_ecc><pending_ecc>Enabled</pending_ecc></ecc_mode>
                        <ecc_errors><aggregate><sram_uncorrectable>0</sram_uncorrectable><dram_uncorrectable>0</dram_uncorrectable></aggregate></ecc_errors>
                        <temperature><gpu_temp>%d C</gpu_temp></temperature>
                        <gpu_power_readings><power_draw>%d.00 W</power_draw></gpu_power_readings>
                      </gpu>
                    """, 0x18 + gpu * 0x11, GPU, gpu, node, gpu, 33 + gpu, 70 + gpu));
        }
        return xml.append("</nvidia_smi_log>\n").toString();
    }

    /**
     * all_reduce_perf inside one node: bus bandwidth at {@code factor} of a healthy node's, and
     * {@code wrong} wrong values in the largest message's out-of-place row.
     */
    static String allReduce(String node, double factor, long wrong, SplittableRandom random) {
        StringBuilder log = new StringBuilder(String.format(Locale.ROOT, """
                # nccl-tests version 2.17.8 nccl-headers=22902 nccl-library=22902
                # Collective test starting: all_reduce_perf
                # nThread 1 nGpus 1 minBytes 33554432 maxBytes 17179869184 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0
                #
                # Using devices
                """));
        for (int rank = 0; rank < GPUS; rank++) {
            log.append(String.format(Locale.ROOT, "#  Rank %2d Group  0 Pid %d on %s device %2d [0000:%02x:00] %s%n",
                    rank, 4000 + rank, node, rank, 0x18 + rank * 0x11, GPU));
        }
        log.append("""
                #
                #                                                              out-of-place                       in-place
                #       size         count      type   redop    root     time   algbw   busbw  #wrong     time   algbw   busbw  #wrong
                #        (B)    (elements)                               (us)  (GB/s)  (GB/s)             (us)  (GB/s)  (GB/s)
                """);
        double sum = 0;
        int rows = 0;
        // Bus bandwidth rises with message size towards about 482 GB/s on NVLink 4 (public single-node runs).
        for (long size = 1L << 25; size <= 1L << 34; size <<= 1) {
            double busbw = 482 * (1 - Math.exp(-size / 2.5e8)) * factor * (1 + random.nextDouble(-0.01, 0.01));
            double algbw = busbw * 8 / 14; // all-reduce: busbw = algbw * 2 (n-1) / n
            double time = size / (algbw * 1e3);
            log.append(String.format(Locale.ROOT, " %12d  %12d    double     sum      -1  %8.1f  %6.2f  %6.2f  %6d  %8.1f  %6.2f  %6.2f       0%n",
                    size, size / 8, time, algbw, busbw, size == 1L << 34 ? wrong : 0, time * 1.001, algbw * 0.999,
                    busbw * 0.999));
            sum += busbw;
            rows++;
        }
        log.append("# Out of bounds values : 0 OK\n");
        log.append(String.format(Locale.ROOT, "# Avg bus bandwidth    : %.3f %n#%n# Collective test concluded: all_reduce_perf%n",
                sum / rows));
        return log.toString();
    }

    /** gpu-burn on 8 GPUs at {@code factor} of a healthy GPU's GFLOP/s, GPU {@code faultyGpu} (or none, -1) declared faulty. */
    static String gpuBurn(String node, int faultyGpu, double factor, SplittableRandom random) {
        StringBuilder log = new StringBuilder();
        for (int gpu = 0; gpu < GPUS; gpu++) {
            log.append(String.format(Locale.ROOT, "GPU %d: %s (UUID: GPU-%s-%d)%n", gpu, GPU, node, gpu));
        }
        for (int percent = 25; percent <= 100; percent += 25) {
            StringBuilder proc = new StringBuilder();
            StringBuilder errors = new StringBuilder();
            StringBuilder temps = new StringBuilder();
            for (int gpu = 0; gpu < GPUS; gpu++) {
                boolean bad = gpu == faultyGpu;
                String sep = gpu == 0 ? "" : " - ";
                proc.append(sep).append(percent * 30).append(String.format(Locale.ROOT, " (%d Gflop/s)",
                        (int) ((bad ? 38000 : 50500 * factor) * (1 + random.nextDouble(-0.01, 0.01)))));
                errors.append(sep).append(bad ? percent / 5 : 0);
                temps.append(sep).append(bad ? 87 : 62 + gpu % 4).append(" C");
            }
            log.append(String.format(Locale.ROOT, "%.1f%%  proc'd: %s   errors: %s   temps: %s %n",
                    (double) percent, proc, errors, temps));
        }
        log.append("\nTested ").append(GPUS).append(" GPUs:\n");
        for (int gpu = 0; gpu < GPUS; gpu++) {
            boolean bad = gpu == faultyGpu;
            log.append("\tGPU ").append(gpu).append(": ").append(bad ? "FAULTY" : "OK").append('\n');
        }
        return log.toString();
    }

    /** ib_write_bw at {@code factor} of a healthy NDR port's average. */
    static String ibWriteBw(double factor, SplittableRandom random) {
        double average = 48200 * factor * (1 + random.nextDouble(-0.005, 0.005));
        return String.format(Locale.ROOT, """
                ---------------------------------------------------------------------------------------
                                    RDMA_Write BW Test
                 Dual-port       : OFF\t\tDevice         : mlx5_0
                 Number of qps   : 1\t\tTransport type : IB
                 Link type       : IB
                ---------------------------------------------------------------------------------------
                 #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]
                 8388608    5000             %.2f            %.2f\t\t   %.6f
                ---------------------------------------------------------------------------------------
                """, average * 1.002, average, average / 8388608 * 1.048576);
    }
}
