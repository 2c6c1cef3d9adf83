package dev.pitwall.gateway.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitwall.gateway.config.ConcurrencyConfig;
import dev.pitwall.gateway.config.LimitAlgorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdmissionQueueTest {

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<String> admittedOrder = new ArrayList<>();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** Waits in the queue on its own thread; once admitted, notes its name and keeps its place. */
    private CompletableFuture<AdmissionQueue.Decision> waiter(AdmissionQueue queue, Priority priority, String name) {
        int before = queue.queued();
        return waiter(queue, priority, name, () -> queue.queued() > before);
    }

    private CompletableFuture<AdmissionQueue.Decision> waiter(AdmissionQueue queue, Priority priority, String name,
                                                              java.util.function.BooleanSupplier entered) {
        CompletableFuture<AdmissionQueue.Decision> decision = CompletableFuture.supplyAsync(() -> {
            AdmissionQueue.Decision d = queue.await(priority, System.nanoTime(), () -> false);
            if (d instanceof AdmissionQueue.Admitted) {
                synchronized (admittedOrder) {
                    admittedOrder.add(name);
                }
            }
            return d;
        }, threads);
        // Arrival order is the order of entering the queue: the next waiter starts once this one is in.
        await().atMost(Duration.ofSeconds(5)).until(() -> entered.getAsBoolean() || decision.isDone());
        return decision;
    }

    private static Permit permit(AdmissionQueue.Decision decision) {
        return ((AdmissionQueue.Admitted) decision).permit();
    }

    @Test
    void aFreedPlaceGoesToTheHighestPriorityThenTheOldestWaiter() throws Exception {
        AdmissionQueue queue = new AdmissionQueue(ConcurrencyLimit.fixed(1), 10, Duration.ofSeconds(30));
        Permit running = queue.tryAcquire().orElseThrow();
        var lowFirst = waiter(queue, Priority.LOW, "low-1");
        var lowSecond = waiter(queue, Priority.LOW, "low-2");
        var normal = waiter(queue, Priority.NORMAL, "normal");
        var high = waiter(queue, Priority.HIGH, "high");
        assertThat(queue.queued()).isEqualTo(4);
        assertThat(queue.tryAcquire()).as("a newcomer does not overtake those waiting").isEmpty();

        running.success(1_000_000);
        permit(high.get()).success(1_000_000);
        permit(normal.get()).success(1_000_000);
        permit(lowFirst.get()).success(1_000_000);
        permit(lowSecond.get()).ignore();
        assertThat(admittedOrder).containsExactly("high", "normal", "low-1", "low-2");
        assertThat(queue.queued()).isZero();
        assertThat(queue.tryAcquire()).isPresent();
    }

    @Test
    void aFullQueueShedsItsOwnPriorityAtOnceAndMakesRoomForAHigherOne() throws Exception {
        AdmissionQueue queue = new AdmissionQueue(ConcurrencyLimit.fixed(1), 2, Duration.ofSeconds(30));
        Permit running = queue.tryAcquire().orElseThrow();
        var lowOld = waiter(queue, Priority.LOW, "low-old");
        var lowYoung = waiter(queue, Priority.LOW, "low-young");

        AdmissionQueue.Decision another = queue.await(Priority.LOW, System.nanoTime(), () -> false);
        assertThat(another).isInstanceOfSatisfying(AdmissionQueue.Shed.class,
                shed -> assertThat(shed.reason()).isEqualTo(AdmissionQueue.ShedReason.QUEUE_FULL));

        var high = waiter(queue, Priority.HIGH, "high", lowYoung::isDone);
        assertThat(lowYoung.get()).as("the youngest of the lowest priority gives way")
                .isInstanceOfSatisfying(AdmissionQueue.Shed.class,
                        shed -> assertThat(shed.reason()).isEqualTo(AdmissionQueue.ShedReason.OUTRANKED));
        assertThat(queue.queued()).isEqualTo(2);

        running.success(1_000_000);
        permit(high.get()).success(1_000_000);
        permit(lowOld.get()).success(1_000_000);
        assertThat(admittedOrder).containsExactly("high", "low-old");
        assertThat(queue.shedCount(AdmissionQueue.ShedReason.QUEUE_FULL)).isEqualTo(1);
        assertThat(queue.shedCount(AdmissionQueue.ShedReason.OUTRANKED)).isEqualTo(1);
    }

    @Test
    void aWaiterIsShedAtItsDeadlineAndTakesNoPlaceWithIt() {
        Duration maxWait = Duration.ofMillis(300);
        AdmissionQueue queue = new AdmissionQueue(ConcurrencyLimit.fixed(1), 10, maxWait);
        Permit running = queue.tryAcquire().orElseThrow();
        long arrived = System.nanoTime();
        AdmissionQueue.Decision decision = queue.await(Priority.NORMAL, arrived, () -> false);
        long waited = System.nanoTime() - arrived;
        assertThat(decision).isInstanceOfSatisfying(AdmissionQueue.Shed.class, shed -> {
            assertThat(shed.reason()).isEqualTo(AdmissionQueue.ShedReason.DEADLINE);
            assertThat(shed.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        });
        assertThat(Duration.ofNanos(waited)).isGreaterThanOrEqualTo(maxWait);
        assertThat(queue.queued()).isZero();
        running.success(1_000);
        assertThat(queue.tryAcquire()).as("the shed waiter took no place with it").isPresent();
    }

    @Test
    void aRequestWhoseWaitWouldPassItsDeadlineIsShedWithoutWaiting() throws Exception {
        Duration maxWait = Duration.ofMillis(500);
        AdmissionQueue queue = new AdmissionQueue(ConcurrencyLimit.fixed(1), 10, maxWait);
        Permit first = queue.tryAcquire().orElseThrow();
        Thread.sleep(600); // places are held 600 ms: a wait for the next one is longer than the 500 ms allowed
        first.success(1_000);
        queue.tryAcquire().orElseThrow();
        long before = System.nanoTime();
        AdmissionQueue.Decision decision = queue.await(Priority.HIGH, before, () -> false);
        assertThat(decision).isInstanceOfSatisfying(AdmissionQueue.Shed.class,
                shed -> assertThat(shed.reason()).isEqualTo(AdmissionQueue.ShedReason.DEADLINE));
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(maxWait);
    }

    @Test
    void aWaiterWhoseClientLeftGivesItsPlaceUpAtOnce() throws Exception {
        AdmissionQueue queue = new AdmissionQueue(ConcurrencyLimit.fixed(1), 10, Duration.ofSeconds(60));
        Permit running = queue.tryAcquire().orElseThrow();
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<AdmissionQueue.Decision> waiting = CompletableFuture.supplyAsync(
                () -> queue.await(Priority.NORMAL, System.nanoTime(), gone::get), threads);
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.queued() == 1);
        gone.set(true);
        assertThat(waiting.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOfSatisfying(AdmissionQueue.Shed.class,
                shed -> assertThat(shed.reason()).isEqualTo(AdmissionQueue.ShedReason.CLIENT_LEFT));
        assertThat(queue.queued()).isZero();
        assertThat(queue.shedCount(AdmissionQueue.ShedReason.CLIENT_LEFT)).isEqualTo(1);
        running.success(1_000);
        assertThat(queue.tryAcquire()).as("the place was not handed to the client that left").isPresent();
    }

    @Test
    void gradient2LowersTheLimitWhileTheBackendsLatencyRisesAndNeverPassesMaxInFlight() {
        ConcurrencyConfig config = new ConcurrencyConfig(LimitAlgorithm.GRADIENT2, 40, 4, null, null, null, null, null,
                null, null);
        Limiter limiter = config.limiter(64);
        assertThat(limiter.limit()).isEqualTo(40);
        for (int i = 0; i < 100; i++) {
            atTheLimit(limiter, Duration.ofMillis(20));
        }
        int steady = limiter.limit();
        assertThat(steady).as("flat latency at the limit lets it grow, up to max-in-flight").isEqualTo(64);
        // Gradient2 compares the latest latency with its long-term average: while latency rises
        // (requests queue at the backend) the limit falls; once the new latency is the norm it grows again.
        int lowest = atTheLimit(limiter, Duration.ofMillis(400));
        assertThat(lowest).as("a backend twenty times slower gets fewer requests at once").isLessThan(steady / 2 + 10);
        assertThat(lowest).isGreaterThanOrEqualTo(4);
    }

    @Test
    void vegasShrinksOnDropsAndKeepsItsFloor() {
        ConcurrencyConfig config = new ConcurrencyConfig(LimitAlgorithm.VEGAS, 20, 5, null, null, null, null, null,
                null, null);
        Limiter limiter = config.limiter(100);
        for (int i = 0; i < 200; i++) {
            List<Permit> held = new ArrayList<>();
            for (int j = 0; j < limiter.limit(); j++) {
                held.add(limiter.tryAcquire().orElseThrow());
            }
            held.forEach(Permit::dropped);
        }
        assertThat(limiter.limit()).isEqualTo(5);
        assertThat(ConcurrencyConfig.fixed().limiter(7).limit()).isEqualTo(7);
    }

    /**
     * As many requests in flight as the limit allows, each answered after {@code latency}
     * (Gradient2 leaves its limit alone while fewer than half its places are used).
     */
    private static int atTheLimit(Limiter limiter, Duration latency) {
        List<Permit> held = new ArrayList<>();
        for (int i = limiter.limit(); i > 0; i--) {
            held.add(limiter.tryAcquire().orElseThrow());
        }
        int lowest = limiter.limit();
        // The last in, which saw every place taken, answers first: its sample is of a loaded backend.
        for (Permit permit : held.reversed()) {
            permit.success(latency.toNanos());
            lowest = Math.min(lowest, limiter.limit());
        }
        return lowest;
    }
}
