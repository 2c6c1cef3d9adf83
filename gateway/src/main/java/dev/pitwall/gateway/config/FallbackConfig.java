package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import java.util.List;

/**
 * Models to try, in order, when every backend of {@code model} failed or is full.
 *
 * @param model the model (or alias) clients ask for
 * @param then  the models (or aliases) to fall back to
 */
public record FallbackConfig(String model, List<String> then) {

    public FallbackConfig {
        if (model == null || model.isBlank()) {
            throw new ConfigProblem("model", "nothing", "the model name requests ask for");
        }
        if (then == null || then.isEmpty()) {
            throw new ConfigProblem("then", "nothing", "a list of models to fall back to");
        }
        then = List.copyOf(then);
    }
}
