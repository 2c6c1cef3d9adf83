package dev.pitwall.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One version of a named prompt: chat messages whose text holds {@code {{variables}}}, each
 * declared with a type. A version never changes once created. Parsing checks everything a
 * request could otherwise trip on later: every placeholder is declared, every declaration valid.
 *
 * @param messages  the messages, role and content, placeholders unrendered
 * @param variables the declared variables, by name
 */
public record PromptTemplate(String name, int version, List<Message> messages, Map<String, VariableSpec> variables) {

    /** {@code {{ name }}}: a variable's place in a message. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** One message of the template. */
    public record Message(String role, String content) {
    }

    /** True when {@code name} can name a prompt: lower-case letters, digits, '.', '_', '-'. */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Reads a version's spec: {@code {"messages":[{"role":…,"content":…}],"variables":{…}}}. */
    public static PromptTemplate parse(String name, int version, JsonNode spec) {
        if (!validName(name)) {
            throw new PromptProblem("name", "prompt names are lower-case letters, digits, '.', '_' and '-'");
        }
        if (!spec.isObject()) {
            throw new PromptProblem("", "a prompt version is a JSON object with messages and variables");
        }
        for (var entry : spec.properties()) {
            if (!List.of("messages", "variables", "description").contains(entry.getKey())) {
                throw new PromptProblem(entry.getKey(), "unknown key " + entry.getKey()
                        + ": a prompt version has messages, variables and description");
            }
        }
        JsonNode listed = spec.path("messages");
        if (!listed.isArray() || listed.isEmpty()) {
            throw new PromptProblem("messages", "messages must be a non-empty list of {\"role\":…,\"content\":…}");
        }
        Map<String, VariableSpec> variables = new LinkedHashMap<>();
        JsonNode declared = spec.path("variables");
        if (!declared.isMissingNode() && !declared.isObject()) {
            throw new PromptProblem("variables", "variables must be an object of name → declaration");
        }
        for (var entry : declared.properties()) {
            if (!PLACEHOLDER.matcher("{{" + entry.getKey() + "}}").matches()) {
                throw new PromptProblem("variables." + entry.getKey(), "a variable's name is letters, digits and '_'");
            }
            variables.put(entry.getKey(), VariableSpec.parse("variables." + entry.getKey(), entry.getValue()));
        }
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < listed.size(); i++) {
            JsonNode m = listed.get(i);
            String field = "messages[" + i + "]";
            if (!ROLES.contains(m.path("role").asText())) {
                throw new PromptProblem(field + ".role", field + ".role must be one of system, developer, user, assistant");
            }
            if (!m.path("content").isTextual()) {
                throw new PromptProblem(field + ".content", field + ".content must be text");
            }
            String content = m.path("content").asText();
            Matcher used = PLACEHOLDER.matcher(content);
            while (used.find()) {
                if (!variables.containsKey(used.group(1))) {
                    throw new PromptProblem(field + ".content", field + ".content uses {{" + used.group(1)
                            + "}}, which is not declared under variables");
                }
            }
            messages.add(new Message(m.path("role").asText(), content));
        }
        return new PromptTemplate(name, version, List.copyOf(messages), Collections.unmodifiableMap(variables));
    }

    /**
     * The messages with {@code given} variables written in; every required one must be given,
     * each of its type, and no undeclared one.
     */
    public List<ObjectNode> render(JsonNode given) {
        if (given != null && !given.isNull() && !given.isObject()) {
            throw new PromptProblem("prompt.variables", "prompt.variables must be an object of name → value");
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (given != null && given.isObject()) {
            for (var entry : given.properties()) {
                VariableSpec spec = variables.get(entry.getKey());
                if (spec == null) {
                    throw new PromptProblem("prompt.variables." + entry.getKey(), "prompt " + name + " has no variable "
                            + entry.getKey() + "; it has " + (variables.isEmpty() ? "none" : String.join(", ", variables.keySet())));
                }
                values.put(entry.getKey(), spec.check("prompt.variables." + entry.getKey(), entry.getValue()));
            }
        }
        for (var entry : variables.entrySet()) {
            if (!values.containsKey(entry.getKey())) {
                if (entry.getValue().required()) {
                    throw new PromptProblem("prompt.variables." + entry.getKey(), "prompt " + name + " needs variable "
                            + entry.getKey() + " (" + entry.getValue().type().label() + ")");
                }
                values.put(entry.getKey(), entry.getValue().defaultValue().asText());
            }
        }
        List<ObjectNode> rendered = new ArrayList<>();
        for (Message m : messages) {
            String text = PLACEHOLDER.matcher(m.content()).replaceAll(r -> Matcher.quoteReplacement(values.get(r.group(1))));
            rendered.add(Json.mapper().createObjectNode().put("role", m.role()).put("content", text));
        }
        return rendered;
    }

    /** The spec it was made from, as the API shows it. */
    public ObjectNode spec() {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode listed = out.putArray("messages");
        messages.forEach(m -> listed.addObject().put("role", m.role()).put("content", m.content()));
        ObjectNode declared = out.putObject("variables");
        variables.forEach((n, v) -> declared.set(n, v.toJson()));
        return out;
    }
}
