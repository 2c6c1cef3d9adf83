package dev.pitwall.planner.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.core.catalog.GpuCatalog;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompatibilityCheckTest {

    private final CompatibilityCheck check = CompatibilityCheck.builtIn();
    private final GpuCatalog gpus = GpuCatalog.builtIn();

    @Test
    void fp8NeedsAdaOrHopper() {
        List<CompatibilityCheck.Row> a100 = check.check(gpus.find("NVIDIA A100-SXM4-80GB").orElseThrow(), Optional.of("fp8"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(a100).singleElement().satisfies(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.found()).isEqualTo("a100-80gb is sm_80");
            assertThat(r.needed()).isEqualTo("sm_89 or newer");
            assertThat(r.fix()).startsWith("train in bf16 on this GPU");
        });
        assertThat(check.check(gpus.find("NVIDIA H100 80GB HBM3").orElseThrow(), Optional.of("fp8"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty())).singleElement().satisfies(r -> assertThat(r.ok()).isTrue());
        assertThat(check.check(gpus.find("NVIDIA L40S").orElseThrow(), Optional.of("fp8"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty())).singleElement().satisfies(r -> assertThat(r.ok()).isTrue());
    }

    @Test
    void aDriverTooOldForItsCudaIsNamedWithWhatItCanRun() {
        List<CompatibilityCheck.Row> rows = check.check(gpus.find("NVIDIA H100 80GB HBM3").orElseThrow(), Optional.empty(),
                Optional.of("535.104.05"), Optional.of("12.4"), Optional.of("2.3.1"), Optional.empty());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).satisfies(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.needed()).isEqualTo("driver 550.54.14 or newer");
            assertThat(r.fix()).contains("CUDA 11.8, 12.0, 12.1, 12.2");
        });
        assertThat(rows.get(1)).satisfies(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.check()).isEqualTo("PyTorch 2.3 build for CUDA 12.4");
            assertThat(r.fix()).startsWith("install the cu121 wheel of PyTorch 2.3");
        });
        assertThat(check.check(gpus.find("NVIDIA H100 80GB HBM3").orElseThrow(), Optional.of("bf16"),
                Optional.of("550.54.15"), Optional.of("12.4.1"), Optional.of("2.5.1"), Optional.of("2.21.5")))
                .hasSize(4).allSatisfy(r -> assertThat(r.ok()).isTrue());
    }

    @Test
    void bf16GradientsNeedAnNcclThatReducesThem() {
        List<CompatibilityCheck.Row> rows = check.check(gpus.find("a100-80gb").orElseThrow(), Optional.of("bf16"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("2.9.9"));
        assertThat(rows).filteredOn(r -> r.check().equals("NCCL for bf16 gradients")).singleElement().satisfies(r -> {
            assertThat(r.ok()).isFalse();
            assertThat(r.needed()).isEqualTo("NCCL 2.10.3 or newer");
            assertThat(r.fix()).startsWith("upgrade NCCL to 2.10.3+");
        });
        assertThat(check.check(gpus.find("a100-80gb").orElseThrow(), Optional.of("fp16"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("2.9.9"))).as("fp16 reductions predate bf16").hasSize(1);
    }

    @Test
    void comparesVersionsNumerically() {
        assertThat(CompatibilityCheck.compare("535.104.05", "535.54.03")).isPositive();
        assertThat(CompatibilityCheck.compare("570.26", "570.26.00")).isZero();
        assertThat(CompatibilityCheck.compare("9.0", "8.9")).isPositive();
        assertThat(CompatibilityCheck.minor("12.2.140")).isEqualTo("12.2");
    }
}
