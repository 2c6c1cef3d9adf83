package dev.pitwall.acceptance.verdict;

import java.nio.file.Files;
import java.nio.file.Path;

/** Results folders as pre-job checks leave them, written in the tools' own formats for tests. */
public final class ResultsFolder {

    private ResultsFolder() {
    }

    /** Writes one node's nvidia-smi inventory, an all_reduce_perf run and a gpu-burn run under {@code results/name}. */
    public static void node(Path results, String name, String driver, double busbw, String burnVerdict) throws Exception {
        Path dir = Files.createDirectories(results.resolve(name));
        Files.writeString(dir.resolve("nvidia-smi.xml"), """
                <?xml version="1.0" ?>
                <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
                <nvidia_smi_log><driver_version>%s</driver_version><cuda_version>12.4</cuda_version>
                  <gpu id="00000000:18:00.0"><product_name>NVIDIA H100 80GB HBM3</product_name><vbios_version>96.00.99</vbios_version>
                    <fb_memory_usage><total>81559 MiB</total></fb_memory_usage><ecc_mode><current_ecc>Enabled</current_ecc></ecc_mode>
                    <persistence_mode>Enabled</persistence_mode></gpu>
                </nvidia_smi_log>
                """.formatted(driver));
        Files.writeString(dir.resolve("all_reduce_perf.log"), """
                # Collective test starting: all_reduce_perf
                # nThread 1 nGpus 1 minBytes 8 maxBytes 8 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0
                #  Rank  0 Group  0 Pid 1 on %s device  0 [0000:18:00] NVIDIA H100 80GB HBM3
                  8589934592    2147483648     float     sum      -1    31000   277.0  %.2f       0    31001   277.0  %.2f       0
                # Out of bounds values : 0 OK
                # Avg bus bandwidth    : %.2f
                # Collective test concluded: all_reduce_perf
                """.formatted(name, busbw, busbw, busbw));
        Files.writeString(dir.resolve("gpu_burn.log"), """
                GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-%s)
                100.0%%  proc'd: 900 (50000 Gflop/s)   errors: 0   temps: 70 C
                Tested 1 GPUs:
                \tGPU 0: %s
                """.formatted(name, burnVerdict));
    }

    /** Adds the node's ibv_devinfo with two HCAs, the second one's port in {@code secondPortState}. */
    public static void hostInfo(Path results, String name, String secondPortState) throws Exception {
        Files.writeString(results.resolve(name).resolve("host-info.txt"), """
                hca_id:	mlx5_0
                	transport:			InfiniBand (0)
                	fw_ver:				28.39.1002
                		port:	1
                			state:			PORT_ACTIVE (4)
                			link_layer:		InfiniBand
                hca_id:	mlx5_1
                	transport:			InfiniBand (0)
                	fw_ver:				28.39.1002
                		port:	1
                			state:			%s
                			link_layer:		InfiniBand
                """.formatted(secondPortState));
    }

    /** Adds the node's dcgmi diag -r 2 -j, its memory test failing on GPU 0 when {@code memoryFails}. */
    public static void dcgmDiag(Path results, String name, boolean memoryFails) throws Exception {
        Files.writeString(results.resolve(name).resolve("dcgmi-diag.json"), """
                {"DCGM GPU Diagnostic" : {"test_categories" : [
                  {"category" : "Hardware", "tests" : [{"name" : "GPU Memory", "results" : [
                    {"gpu_ids" : "0", "status" : "%s", "info" : "GPU 0 had uncorrectable memory errors"}]}]}
                ]}}
                """.formatted(memoryFails ? "Fail" : "Pass"));
    }

    /** Cuts the node's all_reduce_perf output after its header, as a run killed mid-way leaves it. */
    public static void cutNcclShort(Path results, String name) throws Exception {
        Path file = results.resolve(name).resolve("all_reduce_perf.log");
        Files.write(file, Files.readAllLines(file).subList(0, 3));
    }

    /** Adds the node's fio JSON: one 4k random-read job at {@code iodepth}, {@code iops} achieved. */
    public static void fio(Path results, String name, int iodepth, double iops) throws Exception {
        Files.writeString(results.resolve(name).resolve("fio.json"), """
                {"fio version" : "fio-3.35", "global options" : {"bs" : "4k", "ioengine" : "libaio"},
                 "jobs" : [ {"jobname" : "randread", "error" : 0,
                   "job options" : {"rw" : "randread", "iodepth" : "%d", "filename" : "/dev/nvme0n1"},
                   "read" : {"io_bytes" : 4294967296, "bw_bytes" : %.0f, "iops" : %.1f,
                             "lat_ns" : {"mean" : 250000.0}}} ]}
                """.formatted(iodepth, iops * 4096, iops));
    }
}
