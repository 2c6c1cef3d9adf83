package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NvidiaSmiXmlParserTest {

    static final String INVENTORY = """
            <?xml version="1.0" ?>
            <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
            <nvidia_smi_log>
              <driver_version>550.54.15</driver_version>
              <cuda_version>12.4</cuda_version>
              <gpu id="00000000:18:00.0">
                <product_name>NVIDIA H100 80GB HBM3</product_name>
                <persistence_mode>Enabled</persistence_mode>
                <mig_mode><current_mig>Disabled</current_mig></mig_mode>
                <serial>1650123456789</serial><uuid>GPU-1111</uuid><vbios_version>96.00.99.00.01</vbios_version>
                <fb_memory_usage><total>81559 MiB</total></fb_memory_usage>
                <ecc_mode><current_ecc>Enabled</current_ecc></ecc_mode>
                <ecc_errors><aggregate><sram_uncorrectable>0</sram_uncorrectable><dram_uncorrectable>2</dram_uncorrectable></aggregate></ecc_errors>
                <temperature><gpu_temp>41 C</gpu_temp></temperature>
                <gpu_power_readings><power_draw>112.50 W</power_draw></gpu_power_readings>
              </gpu>
              <gpu id="00000000:2A:00.0">
                <product_name>NVIDIA H100 80GB HBM3</product_name>
                <vbios_version>96.00.74.00.0A</vbios_version>
                <temperature><gpu_temp>N/A</gpu_temp></temperature>
              </gpu>
            </nvidia_smi_log>
            """;

    private static Measurement only(ToolOutput out, String name) {
        return out.measurements().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void readsTheInventoryAndHealthOfEachGpu() {
        ToolOutput out = new NvidiaSmiXmlParser().parse("smi.xml", INVENTORY.lines().toList());
        List<Measurement> gpus = out.measurements().stream().filter(m -> m.name().equals("gpu")).toList();
        assertThat(gpus).hasSize(2);
        assertThat(gpus.get(0).label("driver_version")).isEqualTo("550.54.15");
        assertThat(gpus.get(0).label("vbios_version")).isEqualTo("96.00.99.00.01");
        assertThat(gpus.get(1).label("vbios_version")).isEqualTo("96.00.74.00.0A");
        assertThat(gpus.get(0).label("memory_total")).isEqualTo("81559 MiB");
        assertThat(only(out, "power_draw").value()).isEqualTo(112.5);
        assertThat(only(out, "ecc_uncorrectable_aggregate").value()).isEqualTo(2.0);
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("temperature")).hasSize(1);
        assertThat(out.problems()).isEmpty();
    }

    @Test
    void saysWhenTheXmlIsCutShort() {
        ToolOutput out = new NvidiaSmiXmlParser().parse("smi.xml",
                List.of("<nvidia_smi_log>", "  <driver_version>550</driver_version>", "  <gpu id=\"x\">", "    <product_name>H"));
        assertThat(out.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("cut short"));
    }

    @Test
    void readsTheRealSamples() throws Exception {
        ToolOutput a100 = ToolParsers.parse(Samples.dir("nvidia_smi").resolve("nvidia_smi_q_x_a100_sxm4_mig.xml"));
        assertThat(a100.tool()).isEqualTo(NvidiaSmiXmlParser.TOOL);
        Measurement gpu = only(a100, "gpu");
        assertThat(gpu.label("product_name")).isEqualTo("NVIDIA A100-SXM4-40GB");
        assertThat(gpu.label("driver_version")).isEqualTo("510.47.03");
        assertThat(gpu.label("cuda_version")).isEqualTo("11.6");
        assertThat(gpu.label("mig_mode")).isEqualTo("Enabled");
        assertThat(gpu.label("ecc_mode")).isEqualTo("Enabled");
        assertThat(gpu.label("memory_total")).isEqualTo("40960 MiB");
        assertThat(only(a100, "temperature").value()).isEqualTo(36.0);
        assertThat(only(a100, "power_draw").value()).isEqualTo(66.92);
        assertThat(only(a100, "ecc_uncorrectable_aggregate").value()).isZero();

        ToolOutput p100 = ToolParsers.parse(Samples.dir("nvidia_smi").resolve("nvidia_smi_q_x_tesla_p100.xml"));
        assertThat(only(p100, "gpu").label("product_name")).isEqualTo("Tesla P100-PCIE-16GB");
        assertThat(only(p100, "power_draw").value()).isEqualTo(26.16);
        assertThat(p100.measurements()).filteredOn(m -> m.name().equals("retired_pages")).hasSize(2)
                .allSatisfy(m -> assertThat(m.value()).isZero());
    }
}
