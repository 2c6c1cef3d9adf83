package dev.pitwall.gateway.routing;

import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.FallbackConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Chooses where a request for a model goes. Among the backends serving the model, the first
 * choice is drawn at random with odds proportional to {@code weight / (in-flight + 1)}: traffic
 * splits by weight while backends are idle and shifts away from one that is falling behind. The
 * others follow, most attractive first, as retries; then the model's fallback chain, likewise.
 */
public final class Router {

    private final List<Backend> backends;
    /** Every name a client may ask for → the backends serving it under their own model name. */
    private final Map<String, List<Route>> routesByName = new LinkedHashMap<>();
    private final Map<String, List<String>> fallbacks = new LinkedHashMap<>();
    private final RandomGenerator random;

    public Router(GatewayConfig config, RandomGenerator random) {
        this.random = random;
        this.backends = config.backends().stream().map(Backend::new).toList();
        for (Backend backend : backends) {
            BackendConfig c = backend.config();
            for (String model : c.models()) {
                routesByName.computeIfAbsent(model, k -> new ArrayList<>()).add(new Route(backend, model));
            }
            c.aliases().forEach((alias, model) ->
                    routesByName.computeIfAbsent(alias, k -> new ArrayList<>()).add(new Route(backend, model)));
        }
        for (FallbackConfig fallback : config.fallbacks()) {
            fallbacks.put(fallback.model(), fallback.then());
        }
    }

    public boolean serves(String model) {
        return routesByName.containsKey(model);
    }

    /** Every model name and alias clients may ask for. */
    public Set<String> modelNames() {
        return routesByName.keySet();
    }

    public List<Backend> backends() {
        return backends;
    }

    /** Routes to try in order for {@code model}: its backends, then its fallbacks' backends. */
    public List<Route> routes(String model) {
        List<Route> ordered = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<String> chain = new ArrayList<>();
        chain.add(model);
        chain.addAll(fallbacks.getOrDefault(model, List.of()));
        for (String name : chain) {
            if (seen.add(name)) {
                ordered.addAll(rank(routesByName.getOrDefault(name, List.of())));
            }
        }
        return ordered;
    }

    private List<Route> rank(List<Route> routes) {
        if (routes.size() <= 1) {
            return routes;
        }
        List<Route> rest = new ArrayList<>(routes);
        double total = rest.stream().mapToDouble(r -> r.backend().attraction()).sum();
        double draw = random.nextDouble() * total;
        Route first = rest.getLast();
        for (Route route : rest) {
            draw -= route.backend().attraction();
            if (draw < 0) {
                first = route;
                break;
            }
        }
        rest.remove(first);
        rest.sort(Comparator.comparingDouble((Route r) -> r.backend().attraction()).reversed());
        List<Route> ranked = new ArrayList<>(routes.size());
        ranked.add(first);
        ranked.addAll(rest);
        return ranked;
    }
}
