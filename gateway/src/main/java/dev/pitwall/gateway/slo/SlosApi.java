package dev.pitwall.gateway.slo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.config.DurationText;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.auth.AdminAuthorization;
import dev.pitwall.gateway.overrides.OverridesService;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The admin API for objectives, at {@value #PATH} behind the admin key:
 * {@code POST {"name":"chat-ttft","sli":"ttft","objective":99,"window":"30d","threshold":"2s","model":"llama"}}
 * sets a new one; {@code GET}, {@code PUT} and {@code DELETE /admin/api/slos/{name}} read, replace
 * and remove one. Objectives set here override {@code gateway.slos} of the config.
 */
public final class SlosApi implements OverridesService.Kind<SloSpec> {

    public static final String PATH = "/admin/api/slos";
    private static final Set<String> TEXT_FIELDS = Set.of("sli", "window", "threshold", "model", "tenant");

    /** The admin API over {@code definitions}. */
    public static OverridesService<SloSpec> service(SloDefinitions definitions, AdminAuthorization authorize) {
        return new OverridesService<>(PATH, definitions, new SlosApi(), authorize);
    }

    private SlosApi() {
    }

    @Override
    public String noun() {
        return "objective";
    }

    @Override
    public String code() {
        return "slo";
    }

    @Override
    public String configKey() {
        return "gateway.slos";
    }

    @Override
    public String example() {
        return "{\"name\":\"chat-ttft\",\"sli\":\"ttft\",\"objective\":99,\"window\":\"30d\",\"threshold\":\"2s\","
                + "\"model\":\"llama\"}";
    }

    @Override
    public Set<String> fields() {
        return Set.of("name", "sli", "objective", "window", "threshold", "model", "tenant");
    }

    @Override
    public SloSpec read(ObjectNode body, String name) throws OverridesService.Refused {
        for (String field : TEXT_FIELDS) {
            JsonNode node = body.path(field);
            if (!node.isMissingNode() && !node.isNull() && !node.isTextual()) {
                throw new OverridesService.Refused(field + " must be a string", field);
            }
        }
        JsonNode sliNode = body.path("sli");
        Optional<SliKind> sli = SliKind.parse(sliNode.asText(""));
        if (sli.isEmpty()) {
            throw new OverridesService.Refused("sli must be availability, ttft or latency, not "
                    + (sliNode.isMissingNode() ? "missing" : sliNode.toString()), "sli");
        }
        JsonNode objective = body.path("objective");
        if (!objective.isMissingNode() && !objective.isNumber()) {
            throw new OverridesService.Refused("objective must be a number such as 99.9 (a percentage)", "objective");
        }
        return new SloSpec(name, sli.get(), objective.isNumber() ? objective.asDouble() : null,
                duration(body, "window"), duration(body, "threshold"), text(body, "model"), text(body, "tenant"));
    }

    @Override
    public ObjectNode json(SloSpec s) {
        return specJson(s);
    }

    /** An objective's definition as JSON, in the fields the API reads, and its promise in words. */
    public static ObjectNode specJson(SloSpec s) {
        ObjectNode out = Json.mapper().createObjectNode().put("name", s.name()).put("sli", s.sli().label())
                .put("objective", s.objective()).put("window", DurationText.format(s.window()));
        if (s.threshold() != null) {
            out.put("threshold", DurationText.format(s.threshold()));
        }
        return out.put("model", s.model()).put("tenant", s.tenant()).put("description", SloDefinitions.promise(s));
    }

    private static Duration duration(ObjectNode body, String field) throws OverridesService.Refused {
        String text = text(body, field);
        if (text == null) {
            return null;
        }
        try {
            return DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new OverridesService.Refused(field + ": found \"" + text + "\", expected " + DurationText.EXPECTED,
                    field);
        }
    }

    private static String text(ObjectNode body, String field) {
        JsonNode node = body.path(field);
        return node.isTextual() ? node.asText() : null;
    }
}
