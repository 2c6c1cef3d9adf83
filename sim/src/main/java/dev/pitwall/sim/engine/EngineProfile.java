package dev.pitwall.sim.engine;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.ConfigLoader;
import dev.pitwall.core.config.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How fast one simulated GPU serves one model. The figures are illustrative, of the order
 * public vLLM benchmarks report for these GPU/model pairs; measure your own engines and write
 * a profile with their numbers to simulate them closely.
 *
 * @param model                      the name the engine serves the model under
 * @param maxModelLen                longest prompt plus completion, in tokens
 * @param kvCacheTokens              tokens the KV cache holds across all running requests
 * @param maxRunning                 most requests decoded together (vLLM's max_num_seqs)
 * @param prefillTokensPerSecond     prompt tokens processed per second
 * @param decodeStepMs               one decode step (one token for every running request) at batch size 1
 * @param decodeMsPerRunningSequence what each further running request adds to a decode step
 * @param embeddingModel             the embedding model the engine also serves
 * @param embeddingCallMs            what one embeddings call costs beyond its tokens (a forward pass's
 *                                   launch and scheduling); calls run one at a time, as on one GPU
 * @param embeddingTokensPerSecond   input tokens embedded per second
 * @param embeddingDimensions        length of the embedding vectors
 * @param outputTokensMin            shortest answer when max_tokens does not cut it
 * @param outputTokensMax            longest answer when max_tokens does not cut it
 */
public record EngineProfile(String model, int maxModelLen, long kvCacheTokens, int maxRunning,
                            double prefillTokensPerSecond, double decodeStepMs, double decodeMsPerRunningSequence,
                            String embeddingModel, double embeddingCallMs, double embeddingTokensPerSecond,
                            int embeddingDimensions,
                            int outputTokensMin, int outputTokensMax) {

    /** Profiles shipped with Pitwall, by name. */
    public static final List<String> BUILT_IN = List.of("h100-llama3-8b", "a100-llama3-8b");

    public EngineProfile {
        if (model == null || model.isBlank()) {
            throw new ConfigProblem("model", "nothing", "the model name the engine serves");
        }
        ConfigProblem.inRange("max-model-len", maxModelLen, 16, 10_000_000, "a token count");
        ConfigProblem.atLeast("kv-cache-tokens", kvCacheTokens, maxModelLen, "a token count no smaller than max-model-len,");
        ConfigProblem.inRange("max-running", maxRunning, 1, 100_000, "a request count");
        positive("prefill-tokens-per-second", prefillTokensPerSecond);
        positive("decode-step-ms", decodeStepMs);
        if (decodeMsPerRunningSequence < 0) {
            throw new ConfigProblem("decode-ms-per-running-sequence", decodeMsPerRunningSequence, "zero or more");
        }
        if (embeddingModel == null || embeddingModel.isBlank() || embeddingModel.equals(model)) {
            throw new ConfigProblem("embedding-model", embeddingModel == null ? "nothing" : "\"" + embeddingModel + "\"",
                    "the name of an embedding model, other than model");
        }
        if (!(embeddingCallMs >= 0)) {
            throw new ConfigProblem("embedding-call-ms", embeddingCallMs, "zero or more");
        }
        positive("embedding-tokens-per-second", embeddingTokensPerSecond);
        ConfigProblem.inRange("embedding-dimensions", embeddingDimensions, 1, 65_536, "a vector length");
        ConfigProblem.inRange("output-tokens-min", outputTokensMin, 1, maxModelLen, "a token count");
        ConfigProblem.inRange("output-tokens-max", outputTokensMax, outputTokensMin, maxModelLen, "a token count");
    }

    private static void positive(String key, double value) {
        if (!(value > 0)) {
            throw new ConfigProblem(key, value, "a number greater than zero");
        }
    }

    /** Llama 3 8B on one H100 80GB; the base every profile file overrides. */
    public static EngineProfile defaults() {
        return new EngineProfile("meta-llama/Meta-Llama-3-8B-Instruct", 8192, 450_000, 256,
                12_000, 9.0, 0.05, "BAAI/bge-large-en-v1.5", 4.0, 40_000, 1024, 16, 256);
    }

    /**
     * A built-in profile by name ({@link #BUILT_IN}) or a YAML file by path.
     *
     * @throws ConfigException naming what could not be read
     */
    public static EngineProfile load(String nameOrFile) {
        ConfigLoader<EngineProfile> loader = new ConfigLoader<>(EngineProfile.class, defaults());
        if (BUILT_IN.contains(nameOrFile)) {
            String resource = "/sim/profiles/" + nameOrFile + ".yaml";
            try (InputStream in = EngineProfile.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new ConfigException(resource + " is missing from the sim module");
                }
                return loader.load(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
            } catch (IOException e) {
                throw new ConfigException(resource + " cannot be read: " + e.getMessage(), e);
            }
        }
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file)) {
            throw new ConfigException(nameOrFile + ": no such profile; use one of " + String.join(", ", BUILT_IN)
                    + " or the path of a YAML profile");
        }
        return loader.load(Optional.of(file), Map.of());
    }
}
