package dev.pitwall.acceptance.campaign;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A finished campaign's result written onto its Kubernetes nodes, where schedulers and people
 * look: the label {@code pitwall.dev/<plan>} ({@code pass}, {@code warn} or {@code fail}, so a
 * node selector or affinity can keep real work to nodes that passed), and annotations with the
 * campaign, until when a pass holds ({@code <plan>-valid-until}, ISO-8601) and, for a failed
 * node, the finding that failed it. A node that failed loses any valid-until an earlier campaign left.
 */
public final class NodeMarks {

    public static final String PREFIX = "pitwall.dev/";

    /** What was written, and the campaign's nodes the cluster does not have. */
    public record Result(String label, Map<String, String> marked, List<String> missing) {
    }

    private NodeMarks() {
    }

    /** The label key for a plan: its name as a label name ({@code campaign} for a plan without one). */
    public static String label(String plan) {
        String name = plan == null ? "" : plan.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-")
                .replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
        name = name.length() > 50 ? name.substring(0, 50) : name;
        return PREFIX + (name.isEmpty() ? "campaign" : name);
    }

    /**
     * @param validFor how long a pass holds from the campaign's end
     * @throws IllegalStateException when the campaign has not finished: a pass so far proves nothing yet
     */
    public static Result apply(KubernetesClient client, CampaignStatus status, Duration validFor) {
        if (status.finishedAt() == null) {
            throw new IllegalStateException("campaign " + status.id() + " has not finished; its nodes are marked when it has");
        }
        String label = label(status.plan());
        String validUntil = status.finishedAt().plus(validFor).truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, String> marked = new HashMap<>();
        List<String> missing = new ArrayList<>();
        status.nodes().forEach((name, standing) -> {
            Node node = client.nodes().withName(name).get();
            if (node == null) {
                missing.add(name);
                return;
            }
            String value = standing.verdict().name().toLowerCase(Locale.ROOT);
            client.nodes().withName(name).edit(n -> {
                Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels() == null ? Map.of()
                        : n.getMetadata().getLabels());
                labels.put(label, value);
                n.getMetadata().setLabels(labels);
                Map<String, String> annotations = new HashMap<>(n.getMetadata().getAnnotations() == null ? Map.of()
                        : n.getMetadata().getAnnotations());
                annotations.put(label + "-campaign", String.valueOf(status.id()));
                if (standing.failedAt() != null) {
                    annotations.remove(label + "-valid-until");
                    annotations.put(label + "-failed", standing.failedAt().finding().check() + " in round "
                            + standing.failedAt().round() + " (" + standing.failedAt().evidence() + ")");
                } else {
                    annotations.put(label + "-valid-until", validUntil);
                    annotations.remove(label + "-failed");
                }
                n.getMetadata().setAnnotations(annotations);
                return n;
            });
            marked.put(name, value);
        });
        return new Result(label, Map.copyOf(marked), List.copyOf(missing));
    }

}
