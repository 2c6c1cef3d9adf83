package dev.pitwall.gateway.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attribution with Flight Recorder's real events: a contended monitor is blamed on the request
 * whose thread waited for it and on no other; a GC pause on every request it stopped.
 */
class SlowRequestsTest {

    /** A monitor the test holds while a request's thread wants it; its class names it in the evidence. */
    private static final class ContendedLock {
    }

    private final JvmEvents events = new JvmEvents(Duration.ofMillis(5));
    private final SlowRequests slow = new SlowRequests(events, Duration.ofMillis(1), List.of("http://127.0.0.1:9"));

    @AfterEach
    void close() {
        events.close();
    }

    @Test
    void aContendedMonitorIsBlamedOnTheRequestThatWaitedForItAndNotOnAnotherRunningMeanwhile() throws Exception {
        ContendedLock lock = new ContendedLock();
        CountDownLatch released = new CountDownLatch(1);
        Thread waiting;
        Thread bystander;
        synchronized (lock) {
            waiting = Thread.ofPlatform().name("request-waiting").start(() -> request("llama", () -> {
                synchronized (lock) {
                    lock.hashCode();
                }
            }));
            // A request on another thread at the same time, slow for its own reasons.
            bystander = Thread.ofPlatform().name("request-bystander").start(() -> request("qwen", () -> {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting.getState() == Thread.State.BLOCKED);
            // Held on: the wait that Flight Recorder sees lasts at least this long.
            Thread.sleep(60);
        }
        released.countDown();
        waiting.join();
        bystander.join();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(causes("llama"))
                .anySatisfy(c -> {
                    assertThat(c.cause()).isEqualTo("monitor_contention");
                    assertThat(c.overlap()).isGreaterThanOrEqualTo(Duration.ofMillis(55));
                    assertThat(c.detail()).contains(ContendedLock.class.getName())
                            .contains("SlowRequestsTest");
                }));
        assertThat(causes("qwen")).noneMatch(c -> c.cause().equals("monitor_contention"));
        SlowRequests.Attributed bystanding = find("qwen").orElseThrow();
        assertThat(bystanding.unattributed()).isGreaterThanOrEqualTo(Duration.ofMillis(55));
    }

    @Test
    void aGcPauseIsBlamedOnTheRequestItStopped() throws Exception {
        Thread t = Thread.ofPlatform().start(() -> request("llama", System::gc));
        t.join();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(causes("llama"))
                .anySatisfy(c -> {
                    assertThat(c.cause()).isEqualTo("gc_pause");
                    assertThat(c.overlap()).isPositive();
                    assertThat(c.detail()).isNotBlank();
                }));
    }

    @Test
    void aRequestQuickInTheGatewayIsNotKeptHoweverLongItsBackendTook() {
        RequestObservation done = new RequestObservation("llama", "team-a", System.nanoTime() - 3_000_000_000L);
        done.waitedOnBackend(2_999_900_000L);
        done.finish(Outcome.SUCCESS, System.nanoTime());
        slow.record(done, Thread.currentThread().threadId());
        assertThat(slow.recent(Duration.ofMinutes(5), 10)).isEmpty();
    }

    private void request(String model, Runnable work) {
        RequestObservation done = new RequestObservation(model, "team-a", System.nanoTime());
        work.run();
        done.finish(Outcome.SUCCESS, System.nanoTime());
        slow.record(done, Thread.currentThread().threadId());
    }

    private Optional<SlowRequests.Attributed> find(String model) {
        return slow.recent(Duration.ofMinutes(5), 100).stream().filter(a -> a.request().model().equals(model))
                .findFirst();
    }

    private List<SlowRequests.Cause> causes(String model) {
        return find(model).map(SlowRequests.Attributed::causes).orElse(List.of());
    }
}
