package dev.pitwall.trainops.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.pitwall.acceptance.parse.Measurement;
import dev.pitwall.acceptance.parse.NvidiaSmiXmlParser;
import dev.pitwall.acceptance.parse.ToolOutput;
import dev.pitwall.core.json.Json;
import dev.pitwall.core.storage.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** What GPUs each node has, as its agent last read them with {@code nvidia-smi -q -x}. */
public final class NodeInventory {

    private static final TypeReference<List<Map<String, Object>>> GPUS = new TypeReference<>() {
    };

    /** One node's GPUs, each as nvidia-smi describes it. */
    public record Node(String node, Instant updatedAt, List<Map<String, Object>> gpus) {
    }

    private final Jdbi jdbi;
    private final Clock clock;

    public NodeInventory(Database database, Clock clock) {
        this.jdbi = database.jdbi();
        this.clock = clock;
    }

    /**
     * Reads {@code nvidia-smi -q -x} output and keeps it as {@code node}'s inventory.
     *
     * @throws IllegalArgumentException when the XML cannot be read, with what is wrong
     */
    public Node record(String node, String xml) {
        ToolOutput parsed = new NvidiaSmiXmlParser().parse("nvidia-smi -q -x from " + node, xml.lines().toList());
        List<Map<String, Object>> gpus = parsed.measurements().stream().filter(m -> m.name().equals("gpu"))
                .map(Measurement::labels).toList();
        if (gpus.isEmpty()) {
            throw new IllegalArgumentException(parsed.problems().isEmpty() ? "no GPU in the inventory"
                    : parsed.problems().getFirst().reason());
        }
        String json;
        try {
            json = Json.mapper().writeValueAsString(gpus);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long now = clock.millis();
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM node_inventory WHERE node = :node").bind("node", node).execute();
            h.createUpdate("INSERT INTO node_inventory (node, updated_at, gpus) VALUES (:node, :at, :gpus)")
                    .bind("node", node).bind("at", now).bind("gpus", json).execute();
        });
        return new Node(node, Instant.ofEpochMilli(now), gpus);
    }

    public List<Node> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM node_inventory ORDER BY node")
                .map((rs, ctx) -> {
                    try {
                        return new Node(rs.getString("node"), Instant.ofEpochMilli(rs.getLong("updated_at")),
                                Json.mapper().readValue(rs.getString("gpus"), GPUS));
                    } catch (JsonProcessingException e) {
                        return new Node(rs.getString("node"), Instant.ofEpochMilli(rs.getLong("updated_at")), List.of());
                    }
                }).list());
    }
}
