package dev.pitwall.planner.estimate;

import dev.pitwall.core.config.ConfigProblem;

/**
 * A transformer's architecture, as its configuration states it.
 *
 * @param ffn            the MLP's inner size (per expert for mixture-of-experts)
 * @param kvHeads        key/value heads (fewer than {@code heads} with grouped-query attention)
 * @param mlp            {@code swiglu} (three matrices) or {@code gelu} (two)
 * @param experts        MLP experts per layer; 1 for a dense model
 * @param topK           experts each token goes through
 * @param tiedEmbeddings whether the output layer shares the input embedding's weights
 */
public record ModelSpec(String name, int layers, int hidden, int ffn, int heads, Integer kvHeads, int vocab, String mlp,
                        Integer experts, Integer topK, Boolean tiedEmbeddings, String source) {

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
        tiedEmbeddings = tiedEmbeddings != null && tiedEmbeddings;
        source = source == null ? "" : source;
    }

    public int headDim() {
        return hidden / heads;
    }

    private long attentionParams() {
        long kv = (long) kvHeads * headDim();
        return (long) hidden * hidden * 2 + 2L * hidden * kv; // q and o, then k and v
    }

    private long mlpParams() {
        return (mlp.equals("swiglu") ? 3L : 2L) * hidden * ffn;
    }

    private long embeddingParams() {
        return (long) vocab * hidden * (tiedEmbeddings ? 1 : 2);
    }

    /** Every parameter: embeddings, attention, all experts' MLPs, routers and norms. */
    public long totalParams() {
        long perLayer = attentionParams() + mlpParams() * experts + (experts > 1 ? (long) hidden * experts : 0) + 2L * hidden;
        return embeddingParams() + perLayer * layers + hidden;
    }

    /** The parameters one token goes through: with mixture-of-experts, only its top-k experts. */
    public long activeParams() {
        long perLayer = attentionParams() + mlpParams() * topK + 2L * hidden;
        return embeddingParams() + perLayer * layers + hidden;
    }
}
