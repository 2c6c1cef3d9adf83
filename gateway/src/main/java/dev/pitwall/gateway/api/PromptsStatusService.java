package dev.pitwall.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.http.NoCache;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.prompt.PromptFolder;
import dev.pitwall.gateway.prompt.PromptRegistry;
import dev.pitwall.gateway.prompt.PromptTemplate;
import dev.pitwall.gateway.sli.GatewayMetrics;
import dev.pitwall.gateway.sli.Totals;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /api/prompts}: every prompt with its versions, labels, rollout and label history
 * (rollbacks included), each version's running totals (requests, errors, time to first token),
 * and the prompt folder's files, for the console's Prompts page.
 */
public final class PromptsStatusService implements HttpService {

    public static final String PATH = "/api/prompts";

    private final PromptRegistry registry;
    private final GatewayMetrics metrics;
    private final Supplier<List<PromptFolder.Source>> files;

    public PromptsStatusService(PromptRegistry registry, GatewayMetrics metrics, Supplier<List<PromptFolder.Source>> files) {
        this.registry = registry;
        this.metrics = metrics;
        this.files = files;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::status);
    }

    private void status(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode prompts = out.putArray("prompts");
        registry.latest().forEach((name, latest) -> {
            ObjectNode prompt = prompts.addObject().put("name", name).put("latest", latest);
            ObjectNode labels = prompt.putObject("labels");
            registry.labels(name).forEach(labels::put);
            registry.rollout(name).ifPresent(r -> prompt.set("rollout", r.toJson()));
            ArrayNode versions = prompt.putArray("versions");
            for (PromptTemplate t : registry.versions(name)) {
                ObjectNode version = versions.addObject().put("version", t.version());
                version.setAll(t.spec());
                Totals totals = metrics.byPrompt().get(name + "@" + t.version());
                if (totals != null) {
                    version.set("figures", Json.mapper().valueToTree(totals.snapshot()));
                }
            }
            ArrayNode history = prompt.putArray("history");
            for (PromptRegistry.LabelMove move : registry.history(name)) {
                history.add(move.toJson());
            }
        });
        ArrayNode listed = out.putArray("files");
        for (PromptFolder.Source f : files.get()) {
            listed.add(f.toJson());
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.header(NoCache.HEADER);
        res.send(out.toString());
    }
}
