package dev.pitwall.gateway.slo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules' shape, as Sloth users' dashboards and alert routes expect it. */
class PrometheusRulesTest {

    private static final PrometheusRules RULES = new PrometheusRules("pitwall-gateway", "", "pitwall-test");

    @Test
    void eachObjectiveHasSliMetaAndAlertGroupsWithSlothsRecordNamesAndLabels() throws Exception {
        SloSpec spec = new SloSpec("chat-availability", SliKind.AVAILABILITY, 99.9, Duration.ofDays(30), null, "", "");
        JsonNode groups = new YAMLMapper().readTree(RULES.file(List.of(spec))).path("groups");
        assertThat(groups.findValuesAsText("name")).containsExactly(
                "sloth-slo-sli-recordings-pitwall-gateway-chat-availability",
                "sloth-slo-meta-recordings-pitwall-gateway-chat-availability",
                "sloth-slo-alerts-pitwall-gateway-chat-availability");
        assertThat(records(groups.get(0))).containsExactly("slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate30m",
                "slo:sli_error:ratio_rate1h", "slo:sli_error:ratio_rate2h", "slo:sli_error:ratio_rate6h",
                "slo:sli_error:ratio_rate1d", "slo:sli_error:ratio_rate3d", "slo:sli_error:ratio_rate30d");
        assertThat(records(groups.get(1))).containsExactly("slo:objective:ratio", "slo:error_budget:ratio",
                "slo:time_period:days", "slo:current_burn_rate:ratio", "slo:period_burn_rate:ratio",
                "slo:period_error_budget_remaining:ratio", "sloth_slo_info");
        JsonNode fiveMinutes = groups.get(0).path("rules").get(0).path("labels");
        assertThat(fiveMinutes.path("sloth_id").asText()).isEqualTo("pitwall-gateway-chat-availability");
        assertThat(fiveMinutes.path("sloth_service").asText()).isEqualTo("pitwall-gateway");
        assertThat(fiveMinutes.path("sloth_slo").asText()).isEqualTo("chat-availability");
        assertThat(fiveMinutes.path("sloth_window").asText()).isEqualTo("5m");
        assertThat(groups.get(1).path("rules").get(0).path("expr").asText()).isEqualTo("vector(0.9990000000000001)");
        assertThat(groups.get(1).path("rules").get(6).path("labels").path("sloth_objective").asText()).isEqualTo("99.9");

        JsonNode alerts = groups.get(2).path("rules");
        assertThat(alerts.findValuesAsText("alert")).containsExactly("ChatAvailabilityErrorBudgetBurn",
                "ChatAvailabilityErrorBudgetBurn");
        String page = alerts.get(0).path("expr").asText();
        assertThat(alerts.get(0).path("labels").path("sloth_severity").asText()).isEqualTo("page");
        assertThat(page).contains("slo:sli_error:ratio_rate5m{", "slo:sli_error:ratio_rate1h{",
                "slo:sli_error:ratio_rate30m{", "slo:sli_error:ratio_rate6h{",
                "> (14.4 * 0.0009999999999999432)", "> (6 * 0.0009999999999999432)");
        String ticket = alerts.get(1).path("expr").asText();
        assertThat(alerts.get(1).path("labels").path("sloth_severity").asText()).isEqualTo("ticket");
        assertThat(ticket).contains("ratio_rate2h{", "ratio_rate1d{", "ratio_rate6h{", "ratio_rate3d{",
                "> (3 * 0.0009999999999999432)", "> (1 * 0.0009999999999999432)");
    }

    @Test
    void aTimeObjectiveCountsTheRequestsOverItsThresholdFromTheHistogramBucketItAdds() throws Exception {
        SloSpec spec = new SloSpec("llama-ttft", SliKind.TTFT, 99.0, Duration.ofDays(28), Duration.ofMillis(1500),
                "meta-llama/Meta-Llama-3-8B-Instruct", "search");
        PrometheusRules scoped = new PrometheusRules("llm", "job=\"pitwall\"", "pitwall-test");
        JsonNode groups = new YAMLMapper().readTree(scoped.file(List.of(spec))).path("groups");
        String fiveMinutes = groups.get(0).path("rules").get(0).path("expr").asText();
        assertThat(fiveMinutes).contains("pitwall_gateway_time_to_first_token_seconds_count{job=\"pitwall\","
                + "model=\"meta-llama/Meta-Llama-3-8B-Instruct\",tenant=\"search\"}[5m]")
                .contains("pitwall_gateway_time_to_first_token_seconds_bucket{job=\"pitwall\","
                        + "model=\"meta-llama/Meta-Llama-3-8B-Instruct\",tenant=\"search\",le=\"1.5\"}[5m]");
        assertThat(records(groups.get(0))).last().isEqualTo("slo:sli_error:ratio_rate28d");
        assertThat(groups.get(2).path("rules").get(0).path("expr").asText()).contains("> (13.44 * 0.01)",
                "> (5.6 * 0.01)");
        assertThat(groups.get(2).path("rules").get(0).path("alert").asText()).isEqualTo("LlamaTtftErrorBudgetBurn");
    }

    @Test
    void bucketBoundsAreWrittenAsTheRegistryWritesThem() {
        assertThat(PrometheusRules.le(Duration.ofSeconds(2))).isEqualTo("2.0");
        assertThat(PrometheusRules.le(Duration.ofMillis(250))).isEqualTo("0.25");
        assertThat(PrometheusRules.number(0.01)).isEqualTo("0.01");
        assertThat(PrometheusRules.number(6.0)).isEqualTo("6");
    }

    private static List<String> records(JsonNode group) {
        List<String> out = new ArrayList<>();
        group.path("rules").forEach(r -> out.add(r.path("record").asText()));
        return out;
    }
}
