package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerftestAndGpuBurnTest {

    private static List<Measurement> named(ToolOutput out, String name) {
        return out.measurements().stream().filter(m -> m.name().equals(name)).toList();
    }

    @Test
    void readsWriteBandwidthAndLatencyRows() {
        List<String> bw = List.of(
                "                    RDMA_Write BW Test",
                " Dual-port       : OFF\t\tDevice         : mlx5_0",
                " Link type       : IB",
                " #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]",
                " 65536      5000             48210.11            48190.52\t\t   0.771049",
                " 65536      5000             48210.11            48190.52\t\t   0.771049",
                " 131072     5000             48300.00");
        ToolOutput out = new PerftestParser().parse("ib_write_bw.log", bw);
        assertThat(named(out, "bw_average")).singleElement().satisfies(m -> {
            assertThat(m.value()).isEqualTo(48190.52);
            assertThat(m.label("device")).isEqualTo("mlx5_0");
            assertThat(m.label("test")).isEqualTo("ib_write_bw");
        });
        assertThat(out.problems()).singleElement().satisfies(p -> assertThat(p.line()).isEqualTo(7));

        List<String> lat = List.of(
                "                    RDMA_Write Latency Test",
                " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]   99% percentile[usec]   99.9% percentile[usec] ",
                " 2       1000          0.98           4.51         1.01               1.03             0.08            1.35                    4.51");
        ToolOutput latency = new PerftestParser().parse("ib_write_lat.log", lat);
        assertThat(named(latency, "lat_typical").getFirst().value()).isEqualTo(1.01);
        assertThat(named(latency, "lat_p99").getFirst().value()).isEqualTo(1.35);
        assertThat(named(latency, "lat_p999").getFirst().value()).isEqualTo(4.51);
    }

    @Test
    void readsGpuBurnSnapshotsAndVerdicts() {
        List<String> lines = List.of(
                "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa)",
                "GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-bbbb)",
                "10.0%  proc'd: 100 (50100 Gflop/s) - 100 (50050 Gflop/s)   errors: 0 - 0   temps: 71 C - 83 C "
                        + "\t20.0%  proc'd: 200 (50200 Gflop/s) - 190 (41000 Gflop/s)   errors: 0 - 12   temps: 72 C - 80 C ",
                "Tested 2 GPUs:",
                "\tGPU 0: OK",
                "\tGPU 1: FAULTY");
        ToolOutput out = new GpuBurnParser().parse("gpu_burn.log", lines);
        assertThat(named(out, "gflops")).extracting(Measurement::value).containsExactly(50200.0, 41000.0);
        assertThat(named(out, "errors")).extracting(Measurement::value).containsExactly(0.0, 12.0);
        assertThat(named(out, "temp_max")).extracting(Measurement::value).containsExactly(72.0, 83.0);
        assertThat(named(out, "gpu_burn_ok")).extracting(Measurement::value).containsExactly(1.0, 0.0);
        assertThat(named(out, "gflops").getFirst().label("model")).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(out.warnings()).singleElement().satisfies(w -> assertThat(w.reason()).contains("GPU 1 faulty"));

        ToolOutput cut = new GpuBurnParser().parse("gpu_burn.log", lines.subList(0, 3));
        assertThat(cut.problems()).extracting(Problem::reason).anyMatch(r -> r.contains("cut short"));
    }

    @Test
    void readsTheRealSamples() throws Exception {
        ToolOutput single = ToolParsers.parse(Samples.dir("perftest").resolve("superbench_ib_write_bw_loopback_8M.log"));
        assertThat(single.tool()).isEqualTo(PerftestParser.TOOL);
        assertThat(named(single, "bw_average")).singleElement().satisfies(m -> {
            assertThat(m.value()).isEqualTo(24056.72);
            assertThat(m.label("size_bytes")).isEqualTo(8388608L);
        });
        assertThat(named(single, "bw_peak").getFirst().value()).isEqualTo(24056.74);

        ToolOutput sweep = ToolParsers.parse(Samples.dir("perftest").resolve("superbench_ib_write_bw_loopback_all_sizes_interleaved.log"));
        assertThat(named(sweep, "bw_average")).hasSize(23);
        assertThat(named(sweep, "bw_average").getFirst().value()).isEqualTo(5.30);
        assertThat(named(sweep, "bw_average").stream().max(Comparator.comparingDouble(Measurement::value)).orElseThrow()
                .value()).isEqualTo(23277.91);
        assertThat(named(sweep, "bw_peak").stream().max(Comparator.comparingDouble(Measurement::value)).orElseThrow()
                .value()).isEqualTo(23330.56);

        ToolOutput burn = ToolParsers.parse(Samples.dir("gpu_burn").resolve("superbench_gpu_burn_8xa100_ok.log"));
        assertThat(burn.tool()).isEqualTo(GpuBurnParser.TOOL);
        assertThat(named(burn, "gflops")).extracting(Measurement::value)
                .containsExactly(16942.0, 17093.0, 16957.0, 16926.0, 16890.0, 16950.0, 17010.0, 16926.0);
        assertThat(named(burn, "temp_max")).extracting(Measurement::value)
                .containsExactly(62.0, 59.0, 58.0, 60.0, 60.0, 59.0, 58.0, 61.0);
        assertThat(named(burn, "errors")).allSatisfy(m -> assertThat(m.value()).isZero());
        assertThat(named(burn, "gpu_burn_ok")).hasSize(8).allSatisfy(m -> assertThat(m.value()).isEqualTo(1.0));
        assertThat(named(burn, "gflops").getFirst().label("model")).isEqualTo("NVIDIA A100-SXM4-80GB");
        assertThat(burn.problems()).isEmpty();
    }
}
