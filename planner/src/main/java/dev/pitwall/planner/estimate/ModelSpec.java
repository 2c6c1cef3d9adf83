package dev.pitwall.planner.estimate;

import dev.pitwall.core.config.ConfigProblem;

/**
 * A transformer's architecture, as its configuration states it.
 *
 * @param ffn            the dense MLP's inner size
 * @param kvHeads        key/value heads (fewer than {@code heads} with grouped-query attention)
 * @param mlp            {@code swiglu} (three matrices) or {@code gelu} (two)
 * @param experts        routed MLP experts per layer; 1 for a dense model
 * @param topK           routed experts each token goes through
 * @param expertFfn      each expert's MLP inner size (default: {@code ffn})
 * @param sharedExperts  experts every token goes through besides its routed ones (DeepSeekMoE)
 * @param denseLayers    leading layers with a dense MLP in a mixture-of-experts model
 * @param tiedEmbeddings whether the output layer shares the input embedding's weights
 */
public record ModelSpec(String name, int layers, int hidden, int ffn, int heads, Integer kvHeads, int vocab, String mlp,
                        Integer experts, Integer topK, Integer expertFfn, Integer sharedExperts, Integer denseLayers,
                        Boolean tiedEmbeddings, String source) {

    public ModelSpec {
        ConfigProblem.inRange("layers", layers, 1, 10_000, "a layer count");
        ConfigProblem.inRange("hidden", hidden, 1, 1_000_000, "a hidden size");
        ConfigProblem.inRange("ffn", ffn, 1, 10_000_000, "an MLP size");
        ConfigProblem.inRange("heads", heads, 1, 10_000, "a head count");
        kvHeads = kvHeads == null ? heads : kvHeads;
        ConfigProblem.inRange("kv-heads", kvHeads, 1, heads, "a key/value head count no larger than heads");
        ConfigProblem.inRange("vocab", vocab, 1, 10_000_000, "a vocabulary size");
        mlp = mlp == null ? "swiglu" : mlp;
        if (!mlp.equals("swiglu") && !mlp.equals("gelu")) {
            throw new ConfigProblem("mlp", "\"" + mlp + "\"", "swiglu or gelu");
        }
        experts = experts == null ? 1 : experts;
        topK = topK == null ? 1 : topK;
        ConfigProblem.inRange("top-k", topK, 1, experts, "a count no larger than experts");
        expertFfn = expertFfn == null ? ffn : expertFfn;
        ConfigProblem.inRange("expert-ffn", expertFfn, 1, 10_000_000, "an MLP size");
        sharedExperts = sharedExperts == null ? 0 : sharedExperts;
        ConfigProblem.inRange("shared-experts", sharedExperts, 0, 1_000, "a count of shared experts");
        denseLayers = denseLayers == null ? 0 : denseLayers;
        ConfigProblem.inRange("dense-layers", denseLayers, 0, layers, "a count no larger than layers");
        tiedEmbeddings = tiedEmbeddings != null && tiedEmbeddings;
        source = source == null ? "" : source;
    }

    public boolean moe() {
        return experts > 1;
    }

    public int headDim() {
        return hidden / heads;
    }

    /** Layers whose MLP is a mixture of experts. */
    public int moeLayers() {
        return moe() ? layers - denseLayers : 0;
    }

    private long attentionParams() {
        long kv = (long) kvHeads * headDim();
        return (long) hidden * hidden * 2 + 2L * hidden * kv; // q and o, then k and v
    }

    private long mlpParams(int inner) {
        return (mlp.equals("swiglu") ? 3L : 2L) * hidden * inner;
    }

    private long embeddingParams() {
        return (long) vocab * hidden * (tiedEmbeddings ? 1 : 2);
    }

    /** The routed experts' weights, which expert parallelism spreads over its ranks. */
    public long routedExpertParams() {
        return mlpParams(expertFfn) * experts * moeLayers();
    }

    /** Every parameter: embeddings, attention, all experts' MLPs, routers and norms. */
    public long totalParams() {
        long common = attentionParams() + 2L * hidden;
        long moeLayer = common + mlpParams(expertFfn) * (experts + sharedExperts) + (long) hidden * experts;
        long denseLayer = common + mlpParams(ffn);
        return embeddingParams() + moeLayer * moeLayers() + denseLayer * (layers - moeLayers()) + hidden;
    }

    /** The parameters one token goes through: with mixture-of-experts, only its top-k and the shared experts. */
    public long activeParams() {
        long common = attentionParams() + 2L * hidden;
        long moeLayer = common + mlpParams(expertFfn) * (topK + sharedExperts);
        long denseLayer = common + mlpParams(ffn);
        return embeddingParams() + moeLayer * moeLayers() + denseLayer * (layers - moeLayers()) + hidden;
    }
}
