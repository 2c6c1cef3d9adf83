package dev.pitwall.gateway.routing;

import dev.pitwall.gateway.admission.AdmissionQueue;
import dev.pitwall.gateway.breaker.Ejection;
import dev.pitwall.gateway.breaker.EjectionPolicy;
import dev.pitwall.gateway.breaker.QualityBreaker;
import dev.pitwall.gateway.breaker.QualityJudge;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.FallbackConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Chooses where a request for a model goes. Among the available backends serving the model
 * (healthy, not ejected), the first choice is drawn at random with odds proportional to each
 * one's {@linkplain Backend#attraction attraction}: traffic splits by weight while backends are
 * idle and shifts away from one that is falling behind. The others follow, most attractive
 * first, as retries; backends that are down (or whose quality breaker is open) come last, as a
 * last resort; then the model's fallback chain, likewise; then routes whose quality breaker is
 * degraded, but for the share of requests that still probe them.
 */
public final class Router {

    private final List<Backend> backends;
    /** Every name a client may ask for → the backends serving it under their own model name. */
    private final Map<String, List<Route>> routesByName = new LinkedHashMap<>();
    private final Map<String, List<String>> fallbacks = new LinkedHashMap<>();
    private final RandomGenerator random;
    private final Duration loadFreshFor;
    private final QualityJudge judge;

    public Router(GatewayConfig config, RandomGenerator random) {
        this(config, random, t -> {
        });
    }

    /** @param breakerMoves where every move of a quality breaker is reported */
    public Router(GatewayConfig config, RandomGenerator random, Consumer<QualityBreaker.Transition> breakerMoves) {
        this.random = random;
        this.judge = new QualityJudge(config.quality(), random);
        // An engine's report older than three probes is stale: the engine may have stopped answering.
        this.loadFreshFor = config.probeInterval().multipliedBy(3);
        EjectionPolicy ejection = new EjectionPolicy(config.ejectAfterFailures(), config.ejectionTime());
        this.backends = config.backends().stream()
                .map(c -> new Backend(c, new AdmissionQueue(c.concurrency().limiter(c.maxInFlight()),
                        c.concurrency().queueSize(), c.concurrency().maxQueueWait()), new Ejection(ejection),
                        breakers(c, judge, breakerMoves, random))).toList();
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

    private static Map<String, QualityBreaker> breakers(BackendConfig c, QualityJudge judge,
                                                        Consumer<QualityBreaker.Transition> moves, RandomGenerator random) {
        Map<String, QualityBreaker> breakers = new HashMap<>();
        for (String model : c.models()) {
            breakers.put(model, new QualityBreaker(c.name(), model, judge, moves, random));
        }
        return breakers;
    }

    public boolean serves(String model) {
        return routesByName.containsKey(model);
    }

    /** The longest a request for {@code model} may take at any of its backends (its fallbacks' not counted). */
    public Duration longestTotalTimeout(String model) {
        return routesByName.getOrDefault(model, List.of()).stream()
                .map(r -> r.backend().config().timeouts().total()).max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    /** Every model name and alias clients may ask for. */
    public Set<String> modelNames() {
        return routesByName.keySet();
    }

    /** Judges answers for the quality breakers, against each model's usual. */
    public QualityJudge judge() {
        return judge;
    }

    public List<Backend> backends() {
        return backends;
    }

    /**
     * Routes to try in order for {@code model}: its backends, then its fallbacks' backends; routes
     * whose quality breaker is degraded come after all of those.
     */
    public List<Route> routes(String model) {
        List<Route> ordered = new ArrayList<>();
        List<Route> demoted = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        List<String> chain = new ArrayList<>();
        chain.add(model);
        chain.addAll(fallbacks.getOrDefault(model, List.of()));
        for (String name : chain) {
            if (seen.add(name)) {
                ordered.addAll(rank(routesByName.getOrDefault(name, List.of()), demoted));
            }
        }
        ordered.addAll(demoted);
        return ordered;
    }

    private List<Route> rank(List<Route> routes, List<Route> demoted) {
        long now = System.nanoTime();
        List<Route> available = new ArrayList<>();
        List<Route> down = new ArrayList<>();
        for (Route route : routes) {
            QualityBreaker.Placement placement = route.breaker().placement(now);
            if (placement == QualityBreaker.Placement.DEMOTED) {
                demoted.add(route);
            } else {
                (route.backend().available(now) && placement == QualityBreaker.Placement.FIRST ? available : down)
                        .add(route);
            }
        }
        Map<Route, Double> attraction = new HashMap<>();
        for (Route route : routes) {
            attraction.put(route, route.backend().attraction(now, loadFreshFor));
        }
        Comparator<Route> mostAttractive = Comparator.comparingDouble((Route r) -> attraction.get(r)).reversed();
        List<Route> ranked = new ArrayList<>(routes.size());
        if (!available.isEmpty()) {
            Route first = draw(available, attraction);
            ranked.add(first);
            available.remove(first);
            available.sort(mostAttractive);
            ranked.addAll(available);
        }
        down.sort(mostAttractive);
        ranked.addAll(down);
        return ranked;
    }

    private Route draw(List<Route> routes, Map<Route, Double> attraction) {
        double total = routes.stream().mapToDouble(attraction::get).sum();
        double draw = random.nextDouble() * total;
        for (Route route : routes) {
            draw -= attraction.get(route);
            if (draw < 0) {
                return route;
            }
        }
        return routes.getLast();
    }
}
