package dev.pitwall.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuCatalogTest {

    private final GpuCatalog catalog = GpuCatalog.builtIn();

    @Test
    void findsGpusByTheNamesToolsPrint() {
        assertThat(catalog.find("NVIDIA H100 80GB HBM3")).hasValueSatisfying(g -> {
            assertThat(g.name()).isEqualTo("h100-sxm");
            assertThat(g.peakTflops("bf16")).hasValue(989.4);
            assertThat(g.computeCapability()).isEqualTo("9.0");
        });
        assertThat(catalog.find("NVIDIA A100-SXM4-40GB")).hasValueSatisfying(g -> assertThat(g.memoryGib()).isEqualTo(40));
        assertThat(catalog.find("A100-SXM4-80GB")).hasValueSatisfying(g -> assertThat(g.memoryGib()).isEqualTo(80));
        assertThat(catalog.find("NVIDIA L40S")).hasValueSatisfying(g -> assertThat(g.peakTflops("fp8")).hasValue(733.0));
        assertThat(catalog.find("Tesla P100-PCIE-16GB")).isEmpty();
        // A name inside a longer one is another GPU: A10 is not A100, L4 not L40, L40 not L40S.
        assertThat(catalog.find("NVIDIA A10")).hasValueSatisfying(g -> assertThat(g.name()).isEqualTo("a10"));
        assertThat(catalog.find("NVIDIA A100 80GB PCIe")).hasValueSatisfying(g -> assertThat(g.name()).isEqualTo("a100-80gb"));
        assertThat(catalog.find("NVIDIA L4")).hasValueSatisfying(g -> assertThat(g.name()).isEqualTo("l4"));
        assertThat(catalog.find("NVIDIA L40")).hasValueSatisfying(g -> assertThat(g.name()).isEqualTo("l40"));
        assertThat(catalog.find("Tesla V100-SXM2-32GB")).hasValueSatisfying(g -> {
            assertThat(g.memoryGib()).isEqualTo(32);
            assertThat(g.peakTflops("bf16")).as("Volta has no bf16").isEmpty();
        });
        assertThat(catalog.find("AMD Instinct MI300X")).hasValueSatisfying(g -> {
            assertThat(g.computeCapability()).isNull();
            assertThat(g.peerBandwidthGbps()).hasValue(896.0);
        });
        // Catalog names as commands take them win over substring matches ("h20" is in "h200-sxm").
        assertThat(catalog.find("h20")).hasValueSatisfying(g -> assertThat(g.memoryGib()).isEqualTo(96));
        assertThat(catalog.find("H200-SXM")).hasValueSatisfying(g -> assertThat(g.memoryGib()).isEqualTo(141));
        assertThat(catalog.find("a100-40gb")).hasValueSatisfying(g -> assertThat(g.memoryGib()).isEqualTo(40));
    }

    @Test
    void everyEntryCitesItsSourceAndHasBf16OrFp16() {
        assertThat(catalog.all()).hasSizeGreaterThanOrEqualTo(7).allSatisfy(g -> {
            assertThat(g.source()).isNotBlank();
            assertThat(g.peakTflops("bf16").or(() -> g.peakTflops("fp16"))).isPresent();
            assertThat(g.memoryBandwidthTbps()).isPositive();
        });
    }

    @Test
    void takesUserEntriesOverShippedOnes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gpus.yaml");
        Files.writeString(file, """
                gpus:
                  - name: h100-sxm
                    match: ["H100 80GB HBM3"]
                    architecture: hopper
                    compute-capability: "9.0"
                    memory-gib: 80
                    memory-bandwidth-tbps: 3.35
                    tflops: {bf16: 900}
                    source: "our own measurement"
                  - name: mi325x
                    match: ["MI325X"]
                    architecture: cdna3
                    memory-gib: 256
                    memory-bandwidth-tbps: 6
                    tflops: {bf16: 1307}
                    source: "our vendor's figures"
                """);
        GpuCatalog mine = catalog.with(file);
        assertThat(mine.find("NVIDIA H100 80GB HBM3").orElseThrow().peakTflops("bf16")).hasValue(900.0);
        assertThat(mine.find("AMD Instinct MI325X")).hasValueSatisfying(g -> assertThat(g.memoryGib()).isEqualTo(256));
        assertThat(mine.all()).hasSize(catalog.all().size() + 1);

        Files.writeString(file, "gpus:\n  - name: X\n    memory-gib: 1\n    memory-bandwidth-tbps: 1\n    teraflops: 1\n");
        assertThatThrownBy(() -> catalog.with(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":5: gpus[0].teraflops: unknown key");
        Files.writeString(file, "gpus:\n  - name: X\n");
        assertThatThrownBy(() -> catalog.with(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":2: gpus[0].memory-gib: found nothing, expected a number");
    }
}
