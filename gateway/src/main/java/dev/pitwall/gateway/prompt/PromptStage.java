package dev.pitwall.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The prompt stage of a chat request, between the contract check and admission: a request that
 * names a prompt — in its body ({@code "prompt": {"name": …, "label": …, "variables": {…}}}) or
 * in a header ({@code X-Pitwall-Prompt: support-triage@canary}) — gets that prompt's version
 * (by version, by label, by the prompt's rollout, else its {@code production} label) rendered
 * into the messages it sends, before its own.
 */
public final class PromptStage {

    public static final String HEADER = "X-Pitwall-Prompt";
    /** The label a request gets when it names none and the prompt has no rollout. */
    public static final String DEFAULT_LABEL = "production";

    /** The version that served a request, and how it was chosen. */
    public record Served(String name, int version, String via) {

        /** {@code name@version}, as the response header and the metrics say it. */
        public String tag() {
            return name + "@" + version;
        }
    }

    /** The prompt or the label a request names does not exist (404). */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message);
        }
    }

    private final PromptRegistry registry;

    public PromptStage(PromptRegistry registry) {
        this.registry = registry;
    }

    /**
     * Renders the prompt {@code body} or its header names into {@code body}'s messages (and takes
     * the {@code prompt} field out); empty when it names none.
     *
     * @param headers the request's headers, by name
     * @throws PromptProblem a reference or variables that are wrong (400)
     * @throws NotFound      a prompt, label or version that does not exist (404)
     */
    public Optional<Served> apply(ObjectNode body, String tenant, Function<String, Optional<String>> headers) {
        JsonNode inBody = body.get("prompt");
        Optional<String> inHeader = headers.apply(HEADER);
        if (inBody == null && inHeader.isEmpty()) {
            return Optional.empty();
        }
        if (inBody != null && inHeader.isPresent()) {
            throw new PromptProblem("prompt", "the request names a prompt twice, in its body and in " + HEADER
                    + "; name it once");
        }
        String name;
        String label = null;
        Integer version = null;
        JsonNode variables = null;
        if (inBody != null) {
            name = inBody.path("name").asText();
            label = inBody.hasNonNull("label") ? inBody.get("label").asText() : null;
            version = inBody.hasNonNull("version") ? inBody.get("version").asInt() : null;
            variables = inBody.get("variables");
            if (label != null && version != null) {
                throw new PromptProblem("prompt", "name a prompt's label or its version, not both");
            }
        } else {
            String ref = inHeader.get().trim();
            int at = ref.indexOf('@');
            name = at < 0 ? ref : ref.substring(0, at);
            String after = at < 0 ? null : ref.substring(at + 1);
            if (after != null && after.matches("\\d+")) {
                version = Integer.parseInt(after);
            } else {
                label = after;
            }
        }
        if (!registry.exists(name)) {
            throw new NotFound("prompt " + name + " does not exist; GET /admin/api/prompts lists them");
        }
        String via;
        if (version == null) {
            if (label == null) {
                Optional<Rollout> rollout = registry.rollout(name);
                label = rollout.map(r -> r.choose(request(body, tenant, headers))).orElse(DEFAULT_LABEL);
                via = rollout.isPresent() ? "rollout" : "label";
            } else {
                via = "label";
            }
            String wanted = label;
            version = registry.labelled(name, label).orElseThrow(() -> new NotFound("prompt " + name
                    + " has no label " + wanted + "; its labels: " + String.join(", ", registry.labels(name).keySet())));
        } else {
            via = "version";
        }
        int chosen = version;
        PromptTemplate template = registry.version(name, chosen)
                .orElseThrow(() -> new NotFound("prompt " + name + " has no version " + chosen));
        List<ObjectNode> rendered = template.render(variables);
        ArrayNode messages = Json.mapper().createArrayNode();
        rendered.forEach(messages::add);
        if (body.path("messages").isArray()) {
            body.path("messages").forEach(messages::add);
        }
        body.remove("prompt");
        body.set("messages", messages);
        return Optional.of(new Served(name, chosen, via));
    }

    private static Rollout.Request request(ObjectNode body, String tenant, Function<String, Optional<String>> headers) {
        return new Rollout.Request(tenant, body.hasNonNull("user") ? body.get("user").asText() : null, headers);
    }
}
