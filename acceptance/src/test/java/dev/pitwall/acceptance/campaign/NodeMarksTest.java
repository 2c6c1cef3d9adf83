package dev.pitwall.acceptance.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.acceptance.verdict.Finding;
import dev.pitwall.acceptance.verdict.Verdict;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A finished campaign's verdicts on the nodes, against fabric8's mock API server. */
@EnableKubernetesMockClient(crud = true)
class NodeMarksTest {

    static {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    }

    KubernetesClient client;

    private static final Instant END = Instant.parse("2026-12-02T06:00:00Z");

    private static CampaignStatus status(Instant finishedAt) {
        CampaignFinding failed = new CampaignFinding(3, CampaignFinding.TRENDS,
                new Finding("a02", "counter.ecc_dbe", Verdict.FAIL, "+2", "no change", "2 new double-bit ECC errors"),
                "round-003/stress/a02");
        return new CampaignStatus(7, "rack A", "burn-in", null, "/tmp/c", END.minus(Duration.ofHours(24)), END,
                finishedAt, 12, List.of(), Map.of(
                        "a01", new CampaignStatus.NodeStanding(Verdict.PASS, 12, null),
                        "a02", new CampaignStatus.NodeStanding(Verdict.FAIL, 3, failed),
                        "a09", new CampaignStatus.NodeStanding(Verdict.PASS, 12, null)),
                List.of(failed), Verdict.FAIL);
    }

    private void node(String name, Map<String, String> annotations) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).addToLabels("zone", "b")
                .addToAnnotations(annotations).endMetadata().build()).create();
    }

    @Test
    void passedNodesGetALabelAndUntilWhenTheirPassHoldsAFailedOneLosesItsOldPass() {
        node("a01", Map.of());
        node("a02", Map.of("pitwall.dev/burn-in-valid-until", "2026-12-30T00:00:00Z"));

        NodeMarks.Result result = NodeMarks.apply(client, status(END), Duration.ofDays(30));

        assertThat(result.label()).isEqualTo("pitwall.dev/burn-in");
        assertThat(result.marked()).containsExactlyInAnyOrderEntriesOf(Map.of("a01", "pass", "a02", "fail"));
        assertThat(result.missing()).containsExactly("a09");
        Node passed = client.nodes().withName("a01").get();
        assertThat(passed.getMetadata().getLabels()).containsEntry("pitwall.dev/burn-in", "pass").containsEntry("zone", "b");
        assertThat(passed.getMetadata().getAnnotations()).containsEntry("pitwall.dev/burn-in-valid-until",
                "2027-01-01T06:00:00Z").containsEntry("pitwall.dev/burn-in-campaign", "7");
        Node failed = client.nodes().withName("a02").get();
        assertThat(failed.getMetadata().getLabels()).containsEntry("pitwall.dev/burn-in", "fail");
        assertThat(failed.getMetadata().getAnnotations()).doesNotContainKey("pitwall.dev/burn-in-valid-until")
                .containsEntry("pitwall.dev/burn-in-failed", "counter.ecc_dbe in round 3 (round-003/stress/a02)");
    }

    @Test
    void aRunningCampaignMarksNothing() {
        node("a01", Map.of());

        assertThatThrownBy(() -> NodeMarks.apply(client, status(null), Duration.ofDays(30)))
                .hasMessageContaining("has not finished");
        assertThat(client.nodes().withName("a01").get().getMetadata().getLabels()).doesNotContainKey("pitwall.dev/burn-in");
    }

    @Test
    void aPlanNameBecomesAValidLabelName() {
        assertThat(NodeMarks.label("Stress test: 128 nodes!")).isEqualTo("pitwall.dev/stress-test-128-nodes");
        assertThat(NodeMarks.label("")).isEqualTo("pitwall.dev/campaign");
    }
}
