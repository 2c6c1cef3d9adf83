package dev.pitwall.gateway.config;

import dev.pitwall.core.config.ConfigProblem;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateway's section of {@code pitwall.yaml}.
 *
 * @param backends  the inference servers behind {@code /v1}
 * @param fallbacks model fallback chains
 */
public record GatewayConfig(List<BackendConfig> backends, List<FallbackConfig> fallbacks) {

    public GatewayConfig {
        backends = backends == null ? List.of() : List.copyOf(backends);
        fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
        Set<String> names = new HashSet<>();
        for (BackendConfig backend : backends) {
            if (!names.add(backend.name())) {
                throw new ConfigProblem("backends", "\"" + backend.name() + "\" twice", "each backend named once");
            }
        }
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig(List.of(), List.of());
    }
}
