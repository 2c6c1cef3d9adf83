package dev.pitwall.gateway.prompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One prompt as a file of a git-ops folder: its versions in order (the first is version 1),
 * where its labels point, and optionally its rollout.
 *
 * <pre>
 * name: support-triage            # the file's name when left out
 * versions:
 *   - messages: [{role: system, content: "You triage {{product}} tickets."}]
 *     variables: {product: {type: enum, values: [gpu, storage]}}
 * labels: {production: 1}
 * rollout: {split: {production: 100}}
 * </pre>
 */
public record PromptFile(String name, List<PromptTemplate> versions, Map<String, Integer> labels, Rollout rollout) {

    private static final YAMLMapper YAML = new YAMLMapper();

    /** Reads and checks a file's text; nothing in it is applied when any part is wrong. */
    public static PromptFile parse(String fileName, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new PromptProblem("", "not valid YAML" + (line > 0 ? " at line " + line : "") + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PromptProblem("", "cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new PromptProblem("", "a prompt file is a mapping with versions, labels and rollout");
        }
        for (var entry : root.properties()) {
            if (!List.of("name", "versions", "labels", "rollout").contains(entry.getKey())) {
                throw new PromptProblem(entry.getKey(), "unknown key " + entry.getKey()
                        + ": a prompt file has name, versions, labels and rollout");
            }
        }
        String name = root.path("name").asText(fileName.replaceFirst("\\.ya?ml$", ""));
        JsonNode listed = root.path("versions");
        if (!listed.isArray() || listed.isEmpty()) {
            throw new PromptProblem("versions", "versions must list the prompt's versions, the first being version 1");
        }
        List<PromptTemplate> versions = new ArrayList<>();
        for (int i = 0; i < listed.size(); i++) {
            try {
                versions.add(PromptTemplate.parse(name, i + 1, listed.get(i)));
            } catch (PromptProblem e) {
                throw new PromptProblem("versions[" + i + "]" + (e.field().isEmpty() ? "" : "." + e.field()),
                        "version " + (i + 1) + ": " + e.getMessage());
            }
        }
        Map<String, Integer> labels = new LinkedHashMap<>();
        for (var entry : root.path("labels").properties()) {
            if (!PromptRegistry.validLabel(entry.getKey())) {
                throw new PromptProblem("labels." + entry.getKey(), "labels are lower-case letters, digits, '.', '_', '-'");
            }
            if (!entry.getValue().isIntegralNumber() || entry.getValue().asInt() < 1) {
                throw new PromptProblem("labels." + entry.getKey(), "labels." + entry.getKey() + " must be a version number");
            }
            labels.put(entry.getKey(), entry.getValue().asInt());
        }
        Rollout rollout = root.has("rollout") ? Rollout.parse(name, root.get("rollout")) : null;
        return new PromptFile(name, List.copyOf(versions), Map.copyOf(labels), rollout);
    }
}
