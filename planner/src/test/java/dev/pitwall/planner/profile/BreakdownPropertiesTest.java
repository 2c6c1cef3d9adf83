package dev.pitwall.planner.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever the events, the shares of the window sum to 100 and the idle causes to the idle share. */
class BreakdownPropertiesTest {

    record Event(String category, String name, long start, long duration) {
    }

    @Property(tries = 300)
    void sharesSumToOneHundred(@ForAll("events") List<Event> events) {
        RankProfile.Collector collector = new RankProfile.Collector();
        events.forEach(e -> collector.event(e.category(), e.name(), e.start(), e.duration()));
        collector.event("kernel", "gemm", 0, 1); // at least one kernel
        RankProfile r = collector.result(0, "generated");
        RankProfile.Breakdown b = r.breakdown();
        assertThat(b.computationPct() + b.communicationPct() + b.memcpyPct() + b.idlePct()).isCloseTo(100, within(1e-6));
        assertThat(List.of(b.computationPct(), b.communicationPct(), b.memcpyPct(), b.idlePct()))
                .allSatisfy(p -> assertThat(p).isBetween(0.0, 100.0));
        assertThat(r.idle().hostWaitPct() + r.idle().dataLoadingPct() + r.idle().synchronizationPct())
                .isCloseTo(b.idlePct(), within(1e-6));
        assertThat(r.idle().hostWaitPct()).isGreaterThanOrEqualTo(-1e-9);
        assertThat(r.overlapPct()).isBetween(0.0, 100.0);
    }

    @Provide
    Arbitrary<List<Event>> events() {
        Arbitrary<String> kinds = Arbitraries.of("kernel:sm90_gemm", "kernel:ncclKernel_AllReduce", "kernel:elementwise",
                "gpu_memcpy:Memcpy DtoD", "gpu_memset:Memset", "cpu_op:enumerate(DataLoader)#next",
                "cuda_runtime:cudaDeviceSynchronize", "cuda_sync:Stream Sync", "cpu_op:aten::mm");
        Arbitrary<Event> event = Combinators.combine(kinds, Arbitraries.longs().between(0, 1_000_000),
                Arbitraries.longs().between(0, 200_000)).as((kind, start, duration) -> {
                    String[] parts = kind.split(":", 2);
                    return new Event(parts[0], parts[1], start, duration);
                });
        return event.list().ofMinSize(0).ofMaxSize(60);
    }
}
