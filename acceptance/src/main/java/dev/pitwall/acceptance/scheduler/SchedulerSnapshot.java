package dev.pitwall.acceptance.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A cluster's scheduling state as {@code kubectl get … -o json} dumps it: every {@code .json}
 * file of a folder, each a List (or one object), sorted by kind: Nodes, Pods, Volcano PodGroups
 * and Queues, Kueue Topologies, ClusterQueues and LocalQueues, Volcano HyperNodes. Read once; the
 * check works on the parsed objects.
 */
public record SchedulerSnapshot(List<JsonNode> nodes, List<JsonNode> pods, List<JsonNode> podGroups,
                                List<JsonNode> topologies, List<JsonNode> hyperNodes, List<JsonNode> queues,
                                List<JsonNode> clusterQueues, List<JsonNode> localQueues, Map<String, String> unread) {

    public static final String GPU = "nvidia.com/gpu";

    public static SchedulerSnapshot read(Path folder) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        List<JsonNode> pods = new ArrayList<>();
        List<JsonNode> groups = new ArrayList<>();
        List<JsonNode> topologies = new ArrayList<>();
        List<JsonNode> hyperNodes = new ArrayList<>();
        List<JsonNode> queues = new ArrayList<>();
        List<JsonNode> clusterQueues = new ArrayList<>();
        List<JsonNode> localQueues = new ArrayList<>();
        Map<String, String> unread = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(folder)) {
            files = listed.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(folder + " holds no kubectl JSON: dump nodes, pods, podgroups and topologies "
                    + "with kubectl get … -o json > " + folder + "/<kind>.json");
        }
        for (Path file : files) {
            JsonNode root;
            try {
                root = Json.mapper().readTree(Files.readString(file));
            } catch (IOException e) {
                unread.put(file.getFileName().toString(), "not JSON: " + e.getMessage());
                continue;
            }
            List<JsonNode> items = new ArrayList<>();
            if (root.has("items")) {
                root.path("items").forEach(items::add);
            } else {
                items.add(root);
            }
            for (JsonNode item : items) {
                switch (item.path("kind").asText()) {
                    case "Node" -> nodes.add(item);
                    case "Pod" -> pods.add(item);
                    case "PodGroup" -> groups.add(item);
                    case "Topology" -> topologies.add(item);
                    case "HyperNode" -> hyperNodes.add(item);
                    case "Queue" -> queues.add(item);
                    case "ClusterQueue" -> clusterQueues.add(item);
                    case "LocalQueue" -> localQueues.add(item);
                    default -> unread.merge(file.getFileName().toString(), "kind " + item.path("kind").asText()
                            + " not read", (a, b) -> a);
                }
            }
        }
        return new SchedulerSnapshot(nodes, pods, groups, topologies, hyperNodes, queues, clusterQueues, localQueues,
                unread);
    }

    /** The names of the snapshot's nodes. */
    public List<String> nodeNames() {
        return nodes.stream().map(SchedulerSnapshot::name).toList();
    }

    /** How many objects it holds, of every kind read. */
    public int objects() {
        return nodes.size() + pods.size() + podGroups.size() + topologies.size() + hyperNodes.size() + queues.size()
                + clusterQueues.size() + localQueues.size();
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static String namespace(JsonNode object) {
        return object.path("metadata").path("namespace").asText("default");
    }

    static String label(JsonNode object, String key) {
        return object.path("metadata").path("labels").path(key).asText("");
    }

    static String annotation(JsonNode object, String key) {
        return object.path("metadata").path("annotations").path(key).asText("");
    }

    /** A node's allocatable GPUs. */
    static int allocatableGpus(JsonNode node) {
        return quantity(node.path("status").path("allocatable").path(GPU));
    }

    /** The GPUs a pod's containers request. */
    static int requestedGpus(JsonNode pod) {
        int gpus = 0;
        for (JsonNode c : pod.path("spec").path("containers")) {
            JsonNode resources = c.path("resources");
            JsonNode asked = resources.path("requests").path(GPU);
            gpus += quantity(asked.isMissingNode() ? resources.path("limits").path(GPU) : asked);
        }
        return gpus;
    }

    static Instant startTime(JsonNode pod) {
        String at = pod.path("status").path("startTime").asText("");
        return at.isEmpty() ? null : Instant.parse(at);
    }

    static int quantity(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.asText());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
