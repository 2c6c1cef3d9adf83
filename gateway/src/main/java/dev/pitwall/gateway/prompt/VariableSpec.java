package dev.pitwall.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One variable a template declares: its type, and either a default or that it is required.
 *
 * @param type         string, integer or enum
 * @param required     whether a request must give it (false whenever there is a default)
 * @param defaultValue what it is when a request does not give it, or null
 * @param values       the values an enum may take
 */
public record VariableSpec(Type type, boolean required, JsonNode defaultValue, List<String> values) {

    public enum Type {
        STRING, INTEGER, ENUM;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Reads {@code {"type":"enum","values":[…],"required":true,"default":…}}; {@code field} names it in errors. */
    static VariableSpec parse(String field, JsonNode spec) {
        if (!spec.isObject()) {
            throw new PromptProblem(field, field + " must be an object such as {\"type\":\"string\",\"required\":true}");
        }
        for (var entry : spec.properties()) {
            if (!List.of("type", "required", "default", "values", "description").contains(entry.getKey())) {
                throw new PromptProblem(field + "." + entry.getKey(), "unknown key " + entry.getKey()
                        + ": a variable has type, required, default, values and description");
            }
        }
        Type type;
        try {
            type = Type.valueOf(spec.path("type").asText("string").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PromptProblem(field + ".type", field + ".type must be string, integer or enum, not "
                    + spec.path("type"));
        }
        List<String> values = new ArrayList<>();
        if (type == Type.ENUM) {
            JsonNode listed = spec.path("values");
            if (!listed.isArray() || listed.isEmpty()) {
                throw new PromptProblem(field + ".values", field + " is an enum: give its values as a list of strings");
            }
            listed.forEach(v -> values.add(v.asText()));
        } else if (spec.has("values")) {
            throw new PromptProblem(field + ".values", "only an enum has values");
        }
        JsonNode def = spec.get("default");
        VariableSpec variable = new VariableSpec(type, def == null && spec.path("required").asBoolean(true),
                def, List.copyOf(values));
        if (def != null) {
            variable.check(field + ".default", def);
        }
        return variable;
    }

    /** The value as it is written into the template; {@code field} names it in errors. */
    String check(String field, JsonNode value) {
        return switch (type) {
            case STRING -> {
                if (!value.isTextual()) {
                    throw new PromptProblem(field, field + " must be a string, not " + value);
                }
                yield value.asText();
            }
            case INTEGER -> {
                if (!value.isIntegralNumber()) {
                    throw new PromptProblem(field, field + " must be a whole number, not " + value);
                }
                yield value.asText();
            }
            case ENUM -> {
                if (!value.isTextual() || !values.contains(value.asText())) {
                    throw new PromptProblem(field, field + " must be one of " + String.join(", ", values) + ", not "
                            + value);
                }
                yield value.asText();
            }
        };
    }

    ObjectNode toJson() {
        ObjectNode out = Json.mapper().createObjectNode().put("type", type.label()).put("required", required);
        if (defaultValue != null) {
            out.set("default", defaultValue);
        }
        if (type == Type.ENUM) {
            values.forEach(out.putArray("values")::add);
        }
        return out;
    }
}
