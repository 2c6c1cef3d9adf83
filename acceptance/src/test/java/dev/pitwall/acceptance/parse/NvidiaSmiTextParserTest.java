package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.testing.SharedSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** nvidia-smi -q text gives what its XML gives, checked against real reports in the samples. */
class NvidiaSmiTextParserTest {


    private static ToolOutput sample(String name) throws Exception {
        Path file = SharedSamples.get("nvidia_smi/" + name);
        // Through the registry: the report is recognised as nvidia-smi's by its banner.
        ToolOutput out = ToolParsers.parse(file);
        assertThat(out.tool()).isEqualTo("nvidia-smi");
        return out;
    }

    @Test
    void readsAWholeReportOfEightH100s() throws Exception {
        ToolOutput out = sample("gpud_nvidia_smi_q_8xh100_535.183.01.txt");
        assertThat(out.problems()).isEmpty();
        List<Measurement> gpus = out.measurements().stream().filter(m -> m.name().equals("gpu")).toList();
        // The sample's index: driver 535.183.01, CUDA 12.2, 8 x H100 80GB HBM3 at bus 53, 64, 75, ... CA.
        assertThat(gpus).hasSize(8).allSatisfy(g -> {
            assertThat(g.label("product_name")).isEqualTo("NVIDIA H100 80GB HBM3");
            assertThat(g.label("driver_version")).isEqualTo("535.183.01");
            assertThat(g.label("cuda_version")).isEqualTo("12.2");
            assertThat(g.label("ecc_mode")).isEqualTo("Enabled");
            assertThat(g.label("mig_mode")).isEqualTo("Disabled");
        });
        assertThat(gpus).extracting(g -> g.label("bus_id")).containsExactly("00000000:53:00.0", "00000000:64:00.0",
                "00000000:75:00.0", "00000000:86:00.0", "00000000:97:00.0", "00000000:A8:00.0", "00000000:B9:00.0",
                "00000000:CA:00.0");
        // GPU 75:00.0 is the busy one: 118.01 W.
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("power_draw") && "00000000:75:00.0".equals(m.label("bus_id")))
                .singleElement().satisfies(m -> assertThat(m.value()).isEqualTo(118.01));
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("temperature"))
                .hasSize(8).allSatisfy(m -> assertThat(m.value()).isBetween(35.0, 39.0));
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("ecc_uncorrectable_aggregate"))
                .hasSize(8).allSatisfy(m -> assertThat(m.value()).isZero());

        // Only GPU 75:00.0 has its clocks held back: SW Thermal Slowdown and HW Power Brake Slowdown are active
        // there (SW Power Cap too, which is no fault); every other GPU reports all four slowdowns not active.
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("clock_slowdown")).hasSize(32);
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("clock_slowdown") && m.value() > 0)
                .extracting(m -> m.label("bus_id") + " " + m.label("reason"))
                .containsExactlyInAnyOrder("00000000:75:00.0 SW Thermal Slowdown", "00000000:75:00.0 HW Power Brake Slowdown");
    }

    @Test
    void readsRetiredPagesFromAPageRetirementReport() throws Exception {
        ToolOutput out = sample("azurehpc_nvidia_smi_q_retired_pages_8gpu_EDITED_fixture.txt");
        List<Measurement> doubleBit = out.measurements().stream()
                .filter(m -> m.name().equals("retired_pages") && "double_bit".equals(m.label("kind"))).toList();
        // The sample's index: double-bit retired pages 5, 61, 0, 0, 0, 45, 0, 56.
        assertThat(doubleBit).extracting(Measurement::value).containsExactly(5.0, 61.0, 0.0, 0.0, 0.0, 45.0, 0.0, 56.0);
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("retired_pages") && "single_bit".equals(m.label("kind")))
                .extracting(Measurement::value).containsExactly(60.0, 2.0, 0.0, 6.0, 0.0, 20.0, 0.0, 8.0);
        // Pending blacklist on GPUs 2, 4, 6 and 8.
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("retired_pages_pending"))
                .extracting(Measurement::value).containsExactly(0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0);
    }

    @Test
    void judgesGpusAtTheRetiredPagesThreshold(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path sample = SharedSamples.get("nvidia_smi/azurehpc_nvidia_smi_q_retired_pages_8gpu_EDITED_fixture.txt");
        Path node = Files.createDirectories(dir.resolve("results").resolve("gpu-d01"));
        Files.copy(sample, node.resolve("nvidia-smi.txt"));
        var evaluation = dev.pitwall.acceptance.verdict.ResultsEvaluator.evaluate(dir.resolve("results"),
                java.util.Optional.empty());
        assertThat(evaluation.verdict()).isEqualTo(dev.pitwall.acceptance.verdict.Verdict.FAIL);
        // GPUs 1, 2, 6 and 8 have 60 or more retired pages (65, 63, 65, 64).
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("gpu.retired_pages"))
                .extracting(f -> f.value()).containsExactly("65", "63", "65", "64");
        assertThat(evaluation.findings()).filteredOn(f -> f.check().equals("gpu.retired_pages_pending")).hasSize(4);
    }

    @Test
    void saysWhatItCouldNotRead() {
        ToolOutput out = new NvidiaSmiTextParser().parse("cut.txt", List.of("==============NVSMI LOG==============", "",
                "Driver Version : 550.54.15", "    Product Name : orphan"));
        assertThat(out.problems()).extracting(Problem::reason).contains(
                "indented line before any \"GPU <bus id>\" header",
                "no \"GPU <bus id>\" section: nvidia-smi saw no GPU, or the output is cut short");
    }
}
