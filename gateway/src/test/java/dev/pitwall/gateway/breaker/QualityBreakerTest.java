package dev.pitwall.gateway.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pitwall.gateway.config.QualityConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QualityBreakerTest {

    private static final QualityScore GOOD = new QualityScore(200, false, 0, 0, 4.2, 0.4);
    private static final QualityScore LOOPING = new QualityScore(200, false, 3, 12, 3.1, 0.05);

    private final List<QualityBreaker.Transition> moves = new ArrayList<>();

    private QualityBreaker breaker(Duration coolDown) {
        QualityConfig config = new QualityConfig(true, 0.1, 10, 5, 0.3, 0.6, 0.1, coolDown, 3, 0.0, null, null, null,
                null, null, Duration.ofSeconds(5));
        return new QualityBreaker("vllm-a", "llama", new QualityJudge(config, new SplittableRandom(1)), moves::add,
                new SplittableRandom(1));
    }

    private static void feed(QualityBreaker breaker, QualityScore score, int times) {
        for (int i = 0; i < times; i++) {
            breaker.answered(score, null);
        }
    }

    @Test
    void degradesOnBadAnswersOpensWhenMostAreBadAndClosesAfterGoodProbes() {
        QualityBreaker breaker = breaker(Duration.ofMillis(300));
        feed(breaker, GOOD, 7);
        feed(breaker, LOOPING, 2);
        assertThat(breaker.state(System.nanoTime())).as("2 bad of 9: below 30 %").isEqualTo(QualityBreaker.State.CLOSED);
        feed(breaker, LOOPING, 1);
        assertThat(breaker.state(System.nanoTime())).isEqualTo(QualityBreaker.State.DEGRADED);
        assertThat(breaker.placement(System.nanoTime())).as("probe-rate 0: all its traffic goes elsewhere")
                .isEqualTo(QualityBreaker.Placement.DEMOTED);
        feed(breaker, LOOPING, 3);
        assertThat(breaker.state(System.nanoTime())).as("6 bad of 10").isEqualTo(QualityBreaker.State.OPEN);
        assertThat(breaker.placement(System.nanoTime())).isEqualTo(QualityBreaker.Placement.LEFT_OUT);

        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.state(System.nanoTime()) == QualityBreaker.State.HALF_OPEN);
        feed(breaker, GOOD, 3);
        assertThat(breaker.state(System.nanoTime())).isEqualTo(QualityBreaker.State.CLOSED);
        assertThat(breaker.evidence().samples()).as("a closed circuit starts over").isZero();

        assertThat(moves).extracting(m -> m.from().label() + "→" + m.to().label())
                .containsExactly("closed→degraded", "degraded→open", "open→half-open", "half-open→closed");
        QualityBreaker.Transition degraded = moves.getFirst();
        assertThat(degraded.why()).isEqualTo("3 of 10 answers bad");
        assertThat(degraded.evidence().lastFault()).contains("repeating a 3-token phrase 12 times");
    }

    @Test
    void opensOnFailuresAndReopensWhenProbesAreBad() {
        QualityBreaker breaker = breaker(Duration.ofMillis(200));
        feed(breaker, GOOD, 4);
        for (int i = 0; i < 6; i++) {
            breaker.failed();
        }
        assertThat(breaker.state(System.nanoTime())).isEqualTo(QualityBreaker.State.OPEN);
        assertThat(moves.getLast().why()).isEqualTo("6 of 10 requests failed");
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.state(System.nanoTime()) == QualityBreaker.State.HALF_OPEN);
        feed(breaker, LOOPING, 3);
        assertThat(breaker.state(System.nanoTime())).isEqualTo(QualityBreaker.State.OPEN);
    }

    @Test
    void recoversFromDegradedWhenBadAnswersBecomeRare() {
        QualityBreaker breaker = breaker(Duration.ofSeconds(30));
        feed(breaker, LOOPING, 2);
        feed(breaker, GOOD, 3);
        assertThat(breaker.state(System.nanoTime())).as("2 bad of 5").isEqualTo(QualityBreaker.State.DEGRADED);
        feed(breaker, GOOD, 9);
        assertThat(breaker.state(System.nanoTime())).as("0 bad of the last 10").isEqualTo(QualityBreaker.State.CLOSED);
    }

    @Test
    void countsAStreamWhoseFirstTokenCameTooLateAsBad() {
        QualityBreaker breaker = breaker(Duration.ofSeconds(30));
        for (int i = 0; i < 7; i++) {
            breaker.answered(GOOD, Duration.ofMillis(300));
        }
        for (int i = 0; i < 3; i++) {
            breaker.answered(GOOD, Duration.ofSeconds(12));
        }
        assertThat(breaker.state(System.nanoTime())).isEqualTo(QualityBreaker.State.DEGRADED);
        assertThat(breaker.evidence().lastFault()).isEqualTo("first token after 12.0 s");
    }

    @Test
    void movesNothingWhileOff() {
        QualityConfig off = new QualityConfig(false, null, 10, 5, null, null, null, null, null, null, null, null, null,
                null, null, null);
        QualityBreaker breaker = new QualityBreaker("b", "m", new QualityJudge(off, new SplittableRandom(1)), moves::add,
                new SplittableRandom(1));
        feed(breaker, LOOPING, 20);
        assertThat(breaker.state(System.nanoTime())).isEqualTo(QualityBreaker.State.CLOSED);
        assertThat(moves).isEmpty();
    }
}
