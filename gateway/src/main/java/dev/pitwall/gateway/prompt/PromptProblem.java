package dev.pitwall.gateway.prompt;

/**
 * What is wrong with a prompt template or with a request's use of one, naming the field at
 * fault ({@code messages[0].content}, {@code variables.product}) so that a 400 can point at it.
 */
public final class PromptProblem extends RuntimeException {

    private final String field;

    public PromptProblem(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
