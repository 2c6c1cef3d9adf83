package dev.pitwall.trainops.detect;

import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.trainops.signal.Severity;

/**
 * What a GPU condition seen in dcgm-exporter's metrics means and what to do about it: the signal it
 * raises when it starts. {@code meaning} may name the GPU's {@code {gpu}}, {@code {pod}} and, for
 * conditions that last, {@code {minutes}}.
 */
public record GpuCondition(String id, String category, Severity severity, String meaning, String action) {

    public GpuCondition {
        if (id == null || !id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new ConfigProblem("id", id == null ? "nothing" : "\"" + id + "\"", "a lower-case id with dashes");
        }
        severity = severity == null ? Severity.WARNING : severity;
        category = category == null ? "gpu" : category;
        meaning = meaning == null ? "" : meaning;
        action = action == null ? "" : action;
    }
}
