package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One inference server the gateway sends requests to.
 *
 * @param name        how logs, metrics and errors call it
 * @param url         its OpenAI-style base URL, ending in {@code /v1}
 * @param kind        what it is (metrics and error dialect)
 * @param models      the model names it serves, as it names them
 * @param aliases     names clients may use instead, each mapped to one of {@code models}
 * @param apiKeyEnv   the environment variable holding its API key, or empty for none
 * @param weight      its share of traffic relative to other backends of the same model
 * @param maxInFlight requests it is sent at once at most; an adaptive limit stays at or below it
 * @param concurrency how its concurrency limit moves, and how requests wait for a place
 * @param timeouts    how long to wait on it
 */
public record BackendConfig(String name, String url, BackendKind kind, List<String> models,
                            Map<String, String> aliases, String apiKeyEnv, Double weight, Integer maxInFlight,
                            ConcurrencyConfig concurrency, BackendTimeouts timeouts) {

    public static final double DEFAULT_WEIGHT = 1.0;
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;

    public BackendConfig {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ConfigProblem("name", name == null ? "nothing" : "\"" + name + "\"",
                    "a name of letters, digits, '.', '_' and '-'");
        }
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new ConfigProblem("url", url == null ? "nothing" : "\"" + url + "\"",
                    "an http:// or https:// base URL such as http://127.0.0.1:8000/v1");
        }
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        kind = kind == null ? BackendKind.OPENAI_COMPATIBLE : kind;
        if (models == null || models.isEmpty()) {
            throw new ConfigProblem("models", "nothing", "a list of the model names this backend serves");
        }
        models = List.copyOf(models);
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        for (Map.Entry<String, String> alias : aliases.entrySet()) {
            if (!models.contains(alias.getValue())) {
                throw new ConfigProblem("aliases." + alias.getKey(), "\"" + alias.getValue() + "\"",
                        "one of this backend's models: " + String.join(", ", models));
            }
        }
        // Entries of a list get no defaults from the loader: each key left out is filled in here.
        apiKeyEnv = apiKeyEnv == null ? "" : apiKeyEnv;
        weight = weight == null ? DEFAULT_WEIGHT : weight;
        maxInFlight = maxInFlight == null ? DEFAULT_MAX_IN_FLIGHT : maxInFlight;
        if (!(weight > 0)) {
            throw new ConfigProblem("weight", weight, "a number greater than zero");
        }
        ConfigProblem.inRange("max-in-flight", maxInFlight, 1, 1_000_000, "a request count");
        concurrency = concurrency == null ? ConcurrencyConfig.defaults() : concurrency;
        timeouts = timeouts == null ? BackendTimeouts.defaults() : timeouts;
    }

    /** {@code path} under the OpenAI base URL ({@code /chat/completions} → {@code …/v1/chat/completions}). */
    public URI endpoint(String path) {
        return URI.create(url + path);
    }

    /** {@code path} under the server's root, where health checks and metrics live ({@code /metrics}). */
    public URI rootEndpoint(String path) {
        String root = url.endsWith("/v1") ? url.substring(0, url.length() - 3) : url;
        return URI.create(root + path);
    }

    /** A backend of {@code kind} at {@code url} serving {@code models}, everything else by default. */
    public static BackendConfig of(String name, String url, BackendKind kind, List<String> models,
                                   Map<String, String> aliases) {
        return new BackendConfig(name, url, kind, models, aliases, "", null, null, null, null);
    }
}
