package dev.pitwall.planner.advise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The settings of a training job that tuning advice looks at, read from the configuration people
 * already have: Hugging Face TrainingArguments (JSON), a DeepSpeed config, or a plain YAML/JSON
 * file with these keys. Whatever is absent stays unknown; nothing is assumed.
 *
 * @param precision              fp32, tf32, bf16, fp16 or fp8
 * @param checkpointSeconds      how long one checkpoint blocks training
 * @param stepSeconds            measured time of one step
 */
public record TrainingConfig(Optional<Integer> dataloaderWorkers, Optional<Boolean> pinMemory, Optional<String> precision,
                             Optional<Boolean> torchCompile, Optional<Integer> gradientAccumulation,
                             Optional<Integer> checkpointIntervalSteps, Optional<Double> checkpointSeconds,
                             Optional<Boolean> asyncCheckpoint, Optional<Double> stepSeconds) {

    public static TrainingConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": neither YAML nor JSON (line " + e.getLocation().getLineNr() + ": "
                    + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a mapping of settings");
        }
        return new TrainingConfig(
                integer(root, "dataloader_num_workers", "num_workers", "dataloader-workers"),
                bool(root, "dataloader_pin_memory", "pin_memory", "pin-memory"),
                precision(root),
                bool(root, "torch_compile", "compile", "torch-compile"),
                integer(root, "gradient_accumulation_steps", "gradient-accumulation"),
                integer(root, "save_steps", "checkpoint-interval-steps", "save_interval"),
                number(root, "checkpoint-seconds", "checkpoint_seconds"),
                bool(root, "async-checkpoint", "async_save", "async_checkpoint"),
                number(root, "step-seconds", "step_seconds"));
    }

    /** bf16 / fp16 as Hugging Face flags or DeepSpeed sections ({"bf16": {"enabled": true}}), else a precision key. */
    private static Optional<String> precision(JsonNode root) {
        for (String p : List.of("fp8", "bf16", "fp16")) {
            JsonNode flag = root.path(p);
            if (flag.asBoolean(false) || flag.path("enabled").asBoolean(false)) {
                return Optional.of(p);
            }
        }
        if (root.path("tf32").asBoolean(false)) {
            return Optional.of("tf32");
        }
        JsonNode named = root.path("precision");
        if (named.isTextual()) {
            return Optional.of(named.asText().toLowerCase(Locale.ROOT));
        }
        // Hugging Face writes "bf16": false, "fp16": false for full precision.
        return root.has("bf16") || root.has("fp16") ? Optional.of("fp32") : Optional.empty();
    }

    private static Optional<JsonNode> first(JsonNode root, String... keys) {
        for (String key : keys) {
            if (root.hasNonNull(key)) {
                return Optional.of(root.get(key));
            }
        }
        return Optional.empty();
    }

    private static Optional<Integer> integer(JsonNode root, String... keys) {
        return first(root, keys).filter(JsonNode::canConvertToInt).map(JsonNode::asInt);
    }

    private static Optional<Double> number(JsonNode root, String... keys) {
        return first(root, keys).filter(JsonNode::isNumber).map(JsonNode::asDouble);
    }

    private static Optional<Boolean> bool(JsonNode root, String... keys) {
        return first(root, keys).filter(JsonNode::isBoolean).map(JsonNode::asBoolean);
    }
}
