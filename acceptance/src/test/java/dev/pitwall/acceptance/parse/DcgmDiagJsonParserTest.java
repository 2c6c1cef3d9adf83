package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DcgmDiagJsonParserTest {

    static final String RUN = """
            {"DCGM GPU Diagnostic" : {"test_categories" : [
              {"category" : "Deployment", "tests" : [{"name" : "Persistence Mode", "results" : [{"status" : "Pass"}]}]},
              {"category" : "Hardware", "tests" : [
                {"name" : "GPU Memory", "results" : [
                  {"gpu_ids" : "0", "status" : "Pass", "info" : "GPU 0 Allocated 80000000000 bytes (97.0%)"},
                  {"gpu_ids" : "3", "status" : "Fail", "info" : "GPU 3 had uncorrectable memory errors and row remapping failed"}]}]},
              {"category" : "Integration", "tests" : [
                {"name" : "PCIe", "results" : [{"gpu_ids" : "0", "status" : "Pass",
                  "info" : "GPU 0 GPU 0 GPU to Host bandwidth:\\t\\t25.10 GB/s, GPU 0 GPU 0 Host to GPU latency:\\t\\t2.401 us"}]}]}
            ]}}
            """;

    private static double figure(ToolOutput out, String name) {
        return out.measurements().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow().value();
    }

    @Test
    void readsStatusesFiguresAndFailures() {
        ToolOutput out = new DcgmDiagJsonParser().parse("diag.json", RUN.lines().toList());
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("dcgm_diag")).hasSize(4)
                .filteredOn(m -> "3".equals(m.label("gpu"))).singleElement()
                .satisfies(m -> assertThat(m.value()).isZero());
        assertThat(figure(out, "gpu_to_host_bandwidth")).isEqualTo(25.10);
        assertThat(figure(out, "host_to_gpu_latency")).isEqualTo(2.401);
        assertThat(out.warnings()).singleElement().satisfies(w -> {
            assertThat(w.reason()).isEqualTo("dcgmi diag: GPU Memory failed on GPU 3");
            assertThat(w.text()).contains("row remapping failed");
        });
    }

    @Test
    void readsTheRealLevelThreeRun() throws Exception {
        ToolOutput out = ToolParsers.parse(Samples.dir("dcgm").resolve("virtualclient_dcgmi_diag_r3.json"));
        assertThat(out.tool()).isEqualTo(DcgmDiagJsonParser.TOOL);
        assertThat(figure(out, "gpu_to_host_bandwidth")).isEqualTo(13.15);
        assertThat(figure(out, "host_to_gpu_bandwidth")).isEqualTo(13.11);
        assertThat(figure(out, "bidirectional_bandwidth")).isEqualTo(22.48);
        assertThat(figure(out, "power_average")).isEqualTo(70);
        assertThat(figure(out, "gflops")).isEqualTo(11103.02);
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("dcgm_diag"))
                .filteredOn(m -> "Skip".equals(m.label("status"))).singleElement()
                .satisfies(m -> assertThat(m.label("test")).isEqualTo("EUD Test"));
        assertThat(out.warnings()).isEmpty();
        assertThat(out.problems()).isEmpty();

        ToolOutput r2 = ToolParsers.parse(Samples.dir("dcgm").resolve("virtualclient_dcgmi_diag_r2.json"));
        assertThat(r2.measurements()).filteredOn(m -> m.name().equals("dcgm_diag"))
                .allSatisfy(m -> assertThat(m.value()).isEqualTo(1.0));
    }
}
