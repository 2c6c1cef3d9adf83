package dev.pitwall.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void sumsEachMetricAcrossItsLabelSets() {
        String text = """
                # HELP vllm:num_requests_waiting Requests waiting.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{model_name="a"} 3.0
                vllm:num_requests_waiting{model_name="b",engine="0"} 2
                vllm:num_requests_running{model_name="a"} 17 1700000000000
                vllm:kv_cache_usage_perc{model_name="a"} 0.42
                tgi_queue_size 5
                broken line without value
                weird{label="x"} NaNish
                """;
        var sums = PrometheusText.sums(text);
        assertThat(sums).containsEntry("vllm:num_requests_waiting", 5.0)
                .containsEntry("vllm:num_requests_running", 17.0)
                .containsEntry("vllm:kv_cache_usage_perc", 0.42)
                .containsEntry("tgi_queue_size", 5.0)
                .doesNotContainKeys("broken", "weird");
    }
}
