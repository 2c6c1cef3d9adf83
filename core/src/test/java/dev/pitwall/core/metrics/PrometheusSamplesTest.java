package dev.pitwall.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusSamplesTest {

    @Test
    void readsNamesLabelsAndValuesAndSkipsTheRest() {
        List<PrometheusSamples.Sample> samples = PrometheusSamples.parse("""
                # HELP vllm:num_requests_running Number of requests in model execution batches.
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{model_name="meta-llama/Meta-Llama-3-8B-Instruct"} 3.0
                DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="NVIDIA H100 80GB HBM3",note="a \\"quoted\\", comma\\\\path"} 97 1764000000000
                process_open_fds 42
                broken{gpu="0" 1
                not a sample
                """);
        assertThat(samples).hasSize(3);
        assertThat(samples.get(0).name()).isEqualTo("vllm:num_requests_running");
        assertThat(samples.get(0).label("model_name")).isEqualTo("meta-llama/Meta-Llama-3-8B-Instruct");
        assertThat(samples.get(1).value()).isEqualTo(97.0);
        assertThat(samples.get(1).label("note")).isEqualTo("a \"quoted\", comma\\path");
        assertThat(samples.get(1).label("absent")).isEmpty();
        assertThat(samples.get(2).labels()).isEmpty();
        assertThat(samples.get(2).value()).isEqualTo(42.0);
    }

    @Test
    void readKeepsTimestampsAndTypesAndSaysWhichLinesItCouldNotRead() {
        PrometheusSamples.Exposition read = PrometheusSamples.read("""
                # TYPE node_load1 gauge
                node_load1 3.5 1764000000000
                # TYPE DCGM_FI_DEV_PCIE_REPLAY_COUNTER counter
                DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu="0"} 17 # {trace_id="ab"} 1.0
                broken{gpu="0" 1
                node_load5 soon
                """);
        assertThat(read.samples()).extracting(PrometheusSamples.Sample::timestampMillis)
                .containsExactly(1_764_000_000_000L, null);
        assertThat(read.types()).containsEntry("node_load1", "gauge")
                .containsEntry("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter");
        assertThat(read.unread()).containsOnlyKeys(5, 6);
    }
}
