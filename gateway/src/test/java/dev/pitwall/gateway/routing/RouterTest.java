package dev.pitwall.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pitwall.gateway.breaker.AttemptVerdict;
import dev.pitwall.gateway.config.BackendConfig;
import dev.pitwall.gateway.config.BackendKind;
import dev.pitwall.gateway.config.BackendTimeouts;
import dev.pitwall.gateway.config.FallbackConfig;
import dev.pitwall.gateway.config.GatewayConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static BackendConfig backend(String name, double weight, String... models) {
        return new BackendConfig(name, "http://127.0.0.1:1/v1", BackendKind.VLLM, List.of(models),
                Map.of("small", models[0]), "", weight, 100, null, BackendTimeouts.defaults());
    }

    @Test
    void splitsIdleTrafficByWeight() {
        Router router = new Router(GatewayConfig.defaults().withBackends(List.of(backend("a", 2, "m"), backend("b", 1, "m"))),
                new SplittableRandom(7));
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 30_000; i++) {
            firsts.merge(router.routes("m").getFirst().backend().name(), 1, Integer::sum);
        }
        assertThat(firsts.get("a") / (double) firsts.get("b")).isBetween(1.9, 2.1);
    }

    @Test
    void shiftsTrafficAwayFromABusyBackend() {
        Router router = new Router(GatewayConfig.defaults().withBackends(List.of(backend("a", 1, "m"), backend("b", 1, "m"))),
                new SplittableRandom(7));
        Backend a = router.backends().getFirst();
        for (int i = 0; i < 9; i++) {
            assertThat(a.admission().tryAcquire()).isPresent();
        }
        int toA = 0;
        for (int i = 0; i < 10_000; i++) {
            toA += router.routes("m").getFirst().backend() == a ? 1 : 0;
        }
        // a: weight 1 over 10 in flight (0.1); b: 1 over 1 (1.0) → a is drawn about 1 time in 11.
        assertThat(toA / 10_000.0).isBetween(0.07, 0.11);
        assertThat(router.routes("m")).extracting(r -> r.backend().name()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void triesEveryBackendOfTheModelThenItsFallbacks() {
        Router router = new Router(GatewayConfig.defaults()
                .withBackends(List.of(backend("big-1", 1, "big"), backend("big-2", 1, "big"), backend("small-1", 1, "tiny")))
                .withFallbacks(List.of(new FallbackConfig("big", List.of("tiny")))), new SplittableRandom(1));
        List<Route> routes = router.routes("big");
        assertThat(routes).extracting(r -> r.backend().name()).hasSize(3).endsWith("small-1");
        assertThat(routes.getLast().upstreamModel()).isEqualTo("tiny");
        assertThat(router.routes("tiny")).extracting(r -> r.backend().name()).containsExactly("small-1");
    }

    @Test
    void resolvesAliasesToTheBackendsOwnModelName() {
        Router router = new Router(GatewayConfig.defaults().withBackends(List.of(backend("a", 1, "org/model-8b"))),
                new SplittableRandom(1));
        assertThat(router.serves("small")).isTrue();
        assertThat(router.routes("small").getFirst().upstreamModel()).isEqualTo("org/model-8b");
        assertThat(router.serves("unknown")).isFalse();
        assertThat(router.routes("unknown")).isEmpty();
        assertThat(router.modelNames()).containsExactly("org/model-8b", "small");
    }


    @Test
    void weighsTheQueueAnEngineReports() {
        Router router = new Router(GatewayConfig.defaults().withBackends(List.of(backend("a", 1, "m"), backend("b", 1, "m"))),
                new SplittableRandom(3));
        Backend a = router.backends().getFirst();
        // 4 running and 3 waiting on a's engine, from other clients: load 4 + 3 + 3 = 10.
        a.engineLoad(new Backend.EngineLoad(3, 4, 0.0, System.nanoTime()));
        int toA = 0;
        for (int i = 0; i < 10_000; i++) {
            toA += router.routes("m").getFirst().backend() == a ? 1 : 0;
        }
        assertThat(toA / 10_000.0).isBetween(0.07, 0.11);

        // A report older than three probe intervals no longer counts.
        a.engineLoad(new Backend.EngineLoad(3, 4, 0.0, System.nanoTime() - java.time.Duration.ofSeconds(60).toNanos()));
        toA = 0;
        for (int i = 0; i < 10_000; i++) {
            toA += router.routes("m").getFirst().backend() == a ? 1 : 0;
        }
        assertThat(toA / 10_000.0).isBetween(0.45, 0.55);
    }

    @Test
    void putsDownAndEjectedBackendsLastButStillTriesThem() {
        Router router = new Router(GatewayConfig.defaults().withBackends(
                List.of(backend("a", 1000, "m"), backend("b", 1, "m"), backend("c", 1, "m"))), new SplittableRandom(3));
        Backend a = router.backends().get(0);
        Backend b = router.backends().get(1);
        a.healthy(false);
        long now = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            b.ejection().record(AttemptVerdict.FAILED, now);
        }
        assertThat(b.available(now)).isFalse();
        assertThat(b.available(now + java.time.Duration.ofSeconds(11).toNanos())).isTrue();
        for (int i = 0; i < 100; i++) {
            List<String> order = router.routes("m").stream().map(r -> r.backend().name()).toList();
            assertThat(order.getFirst()).isEqualTo("c");
            assertThat(order).containsExactlyInAnyOrder("a", "b", "c");
        }
        b.ejection().record(AttemptVerdict.SUCCEEDED, now);
        b.ejection().record(AttemptVerdict.FAILED, now);
        assertThat(b.available(now + java.time.Duration.ofSeconds(11).toNanos())).isTrue();
    }
}
