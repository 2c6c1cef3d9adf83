package dev.pitwall.gateway.api;

/** The OpenAI endpoints the gateway forwards, with the contract schema of each one's requests. */
enum Endpoint {
    CHAT("/chat/completions", true, "ChatCompletionRequest"),
    COMPLETIONS("/completions", true, "CompletionRequest"),
    EMBEDDINGS("/embeddings", false, "EmbeddingRequest");

    final String path;
    final boolean streams;
    final String requestSchema;

    Endpoint(String path, boolean streams, String requestSchema) {
        this.path = path;
        this.streams = streams;
        this.requestSchema = requestSchema;
    }
}
