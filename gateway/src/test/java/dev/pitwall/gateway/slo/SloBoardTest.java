package dev.pitwall.gateway.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.core.audit.AuditLog;
import dev.pitwall.core.metrics.Metrics;
import dev.pitwall.core.storage.Database;
import dev.pitwall.core.storage.StorageConfig;
import dev.pitwall.core.storage.StorageTarget;
import dev.pitwall.core.testing.StepClock;
import dev.pitwall.gateway.Gateway;
import dev.pitwall.gateway.sli.Outcome;
import dev.pitwall.gateway.sli.RequestObservation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SloBoardTest {

    private static final SloSpec AVAILABILITY = new SloSpec("chat-availability", SliKind.AVAILABILITY, 99.9,
            Duration.ofDays(30), null, "", "");

    @TempDir
    Path dataDir;

    private final Metrics metrics = new Metrics();
    private final StepClock clock = new StepClock(Instant.parse("2026-11-02T00:00:00Z"));
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        metrics.close();
    }

    @Test
    void aFastBurnPagesAndStopsPagingOnceTheShortWindowsAreCleanWhileTheTicketStays() {
        SloBoard board = board(StorageConfig.defaults(), List.of(AVAILABILITY));
        // An hour at 2 % errors: twenty times the 0.1 % the objective allows.
        minutes(board, AVAILABILITY, 60, 1000, 20);
        SloStatus burning = board.status("chat-availability").orElseThrow();
        assertThat(burning.state()).isEqualTo(SloStatus.State.PAGE);
        assertThat(burning.burnRate(Duration.ofHours(1))).isCloseTo(20.0, within(1e-9));
        assertThat(burning.burnRate(Duration.ofMinutes(5))).isCloseTo(20.0, within(1e-9));
        assertThat(burning.firing()).anyMatch(f -> f.startsWith("page: burn rate 20.0 over 1h and 20.0 over 5m"));

        // Ten clean minutes: the 5-minute window recovers, but the 30-minute one still burns over 6.
        minutes(board, AVAILABILITY, 10, 1000, 0);
        assertThat(board.status("chat-availability").orElseThrow().state()).isEqualTo(SloStatus.State.PAGE);

        // Thirty-five clean minutes: no page window pair holds any more; the day still burns over 3.
        minutes(board, AVAILABILITY, 25, 1000, 0);
        SloStatus after = board.status("chat-availability").orElseThrow();
        assertThat(after.state()).isEqualTo(SloStatus.State.TICKET);
        assertThat(after.firing()).noneMatch(f -> f.startsWith("page"));
        assertThat(after.firing()).anyMatch(f -> f.startsWith("ticket: ") && f.contains("over 1d and") && f.contains("over 2h"));
    }

    @Test
    void aSlowBurnRaisesATicketButNoPage() {
        SloBoard board = board(StorageConfig.defaults(), List.of(AVAILABILITY));
        // Three hours at 0.5 % errors: a burn rate of 5, under the page's 6 and 14.4, over the ticket's 3.
        minutes(board, AVAILABILITY, 180, 1000, 5);
        SloStatus status = board.status("chat-availability").orElseThrow();
        assertThat(status.state()).isEqualTo(SloStatus.State.TICKET);
        assertThat(status.firing()).hasSize(2).allMatch(f -> f.startsWith("ticket"));
    }

    @Test
    void errorsWithinTheBudgetLeaveItPartlySpentAndRaiseNothing() {
        SloBoard board = board(StorageConfig.defaults(), List.of(AVAILABILITY));
        // 0.05 % errors: half the budget's pace, so half the budget is spent.
        minutes(board, AVAILABILITY, 100, 2000, 1);
        SloStatus status = board.status("chat-availability").orElseThrow();
        assertThat(status.state()).isEqualTo(SloStatus.State.OK);
        assertThat(status.firing()).isEmpty();
        assertThat(status.budgetRemaining()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void anObjectiveWithNoEventsSaysSoRatherThanOk() {
        SloBoard board = board(StorageConfig.defaults(), List.of(AVAILABILITY));
        SloStatus status = board.status("chat-availability").orElseThrow();
        assertThat(status.state()).isEqualTo(SloStatus.State.NO_DATA);
        assertThat(status.budgetRemaining()).isNull();
        assertThat(status.burnRate(Duration.ofMinutes(5))).isNull();
    }

    @Test
    void eventsOlderThanThePeriodNoLongerSpendItsBudget() {
        SloBoard board = board(StorageConfig.defaults(), List.of(AVAILABILITY));
        minutes(board, AVAILABILITY, 10, 1000, 500);
        clock.advance(Duration.ofDays(31));
        minutes(board, AVAILABILITY, 10, 1000, 0);
        SloStatus status = board.status("chat-availability").orElseThrow();
        assertThat(status.windows().getLast().total()).isEqualTo(10_000);
        assertThat(status.budgetRemaining()).isEqualTo(1.0);
        assertThat(status.state()).isEqualTo(SloStatus.State.OK);
    }

    @Test
    void availabilityCountsServerFailuresAndLeavesOutWhatTheClientCaused() {
        SloBoard board = board(StorageConfig.defaults(), List.of(AVAILABILITY));
        for (Outcome outcome : Outcome.values()) {
            board.record(finished("llama", "team-a", outcome, Duration.ofMillis(100), null));
        }
        SloStatus.Window period = board.status("chat-availability").orElseThrow().windows().getLast();
        // success, rejected, upstream_error and timeout count; client_error, rate_limited and client_cancelled do not.
        assertThat(period.total()).isEqualTo(4);
        assertThat(period.good()).isEqualTo(1);
    }

    @Test
    void anObjectiveForOneModelAndTenantCountsOnlyTheirRequests() {
        SloSpec scoped = new SloSpec("llama-team-a", SliKind.AVAILABILITY, 99.0, Duration.ofDays(28), null, "llama",
                "team-a");
        SloBoard board = board(StorageConfig.defaults(), List.of(scoped));
        board.record(finished("llama", "team-a", Outcome.SUCCESS, Duration.ofMillis(10), null));
        board.record(finished("llama", "team-b", Outcome.UPSTREAM_ERROR, Duration.ofMillis(10), null));
        board.record(finished("qwen", "team-a", Outcome.UPSTREAM_ERROR, Duration.ofMillis(10), null));
        SloStatus status = board.status("llama-team-a").orElseThrow();
        assertThat(status.windows().getLast().total()).isEqualTo(1);
        assertThat(status.budgetRemaining()).isEqualTo(1.0);
    }

    @Test
    void timeToFirstTokenCountsStreamedAnswersWithinTheThresholdAsGood() {
        SloSpec ttft = new SloSpec("chat-ttft", SliKind.TTFT, 99.0, Duration.ofDays(30), Duration.ofSeconds(2), "", "");
        SloBoard board = board(StorageConfig.defaults(), List.of(ttft));
        board.record(finished("llama", "a", Outcome.SUCCESS, Duration.ofSeconds(5), Duration.ofMillis(1900)));
        board.record(finished("llama", "a", Outcome.SUCCESS, Duration.ofSeconds(5), Duration.ofSeconds(2)));
        board.record(finished("llama", "a", Outcome.SUCCESS, Duration.ofSeconds(5), Duration.ofMillis(2100)));
        // No first token (an embeddings call, or a failure before any output): not a TTFT event.
        board.record(finished("llama", "a", Outcome.UPSTREAM_ERROR, Duration.ofMillis(30), null));
        SloStatus.Window period = board.status("chat-ttft").orElseThrow().windows().getLast();
        assertThat(period.total()).isEqualTo(3);
        assertThat(period.good()).isEqualTo(2);
    }

    @Test
    void latencyCountsEveryAnswerByItsLastByte() {
        SloSpec latency = new SloSpec("latency", SliKind.LATENCY, 95.0, Duration.ofDays(30), Duration.ofSeconds(10),
                "", "");
        SloBoard board = board(StorageConfig.defaults(), List.of(latency));
        board.record(finished("llama", "a", Outcome.SUCCESS, Duration.ofSeconds(9), Duration.ofMillis(100)));
        board.record(finished("llama", "a", Outcome.SUCCESS, Duration.ofSeconds(11), Duration.ofMillis(100)));
        board.record(finished("llama", "a", Outcome.TIMEOUT, Duration.ofSeconds(30), null));
        SloStatus.Window period = board.status("latency").orElseThrow().windows().getLast();
        assertThat(period.total()).isEqualTo(3);
        assertThat(period.good()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("dev.pitwall.core.storage.StorageTarget#available")
    void replicasSharingAStoreAddUpTheirEventsAndARestartKeepsThem(String store) {
        StorageTarget target = StorageTarget.create(store, dataDir);
        opened.add(target);
        SloBoard one = board(target.config(), List.of(AVAILABILITY));
        SloBoard two = board(target.config(), List.of(AVAILABILITY));
        one.record(finished("llama", "a", Outcome.SUCCESS, Duration.ofMillis(10), null));
        one.record(finished("llama", "a", Outcome.SUCCESS, Duration.ofMillis(10), null));
        two.record(finished("llama", "a", Outcome.UPSTREAM_ERROR, Duration.ofMillis(10), null));
        two.ledger().flush();
        assertThat(one.status("chat-availability").orElseThrow().windows().getLast())
                .extracting(SloStatus.Window::good, SloStatus.Window::total).containsExactly(2L, 3L);

        one.close();
        SloBoard restarted = board(target.config(), List.of(AVAILABILITY));
        assertThat(restarted.status("chat-availability").orElseThrow().windows().getLast().total()).isEqualTo(3);
    }

    @Test
    void redefiningWhatAnObjectiveCountsStartsItsCountAfresh() {
        SloSpec twoSeconds = new SloSpec("ttft", SliKind.TTFT, 99.0, Duration.ofDays(30), Duration.ofSeconds(2), "", "");
        SloBoard board = board(StorageConfig.defaults(), List.of(twoSeconds));
        board.record(finished("llama", "a", Outcome.SUCCESS, Duration.ofSeconds(5), Duration.ofSeconds(3)));
        board.definitions().put(new SloSpec("ttft", SliKind.TTFT, 99.0, Duration.ofDays(30), Duration.ofSeconds(4),
                "", ""), "admin");
        assertThat(board.status("ttft").orElseThrow().state()).isEqualTo(SloStatus.State.NO_DATA);
        // The objective itself may change without a new count.
        board.definitions().put(new SloSpec("ttft", SliKind.TTFT, 99.9, Duration.ofDays(30), Duration.ofSeconds(2),
                "", ""), "admin");
        assertThat(board.status("ttft").orElseThrow().windows().getLast().total()).isEqualTo(1);
    }

    /** {@code count} minutes of {@code perMinute} events, {@code bad} of them bad, the clock moving a minute each. */
    private void minutes(SloBoard board, SloSpec spec, int count, long perMinute, long bad) {
        for (int i = 0; i < count; i++) {
            clock.advance(Duration.ofMinutes(1));
            board.ledger().count(spec, clock.millis(), perMinute - bad, perMinute);
        }
    }

    private static RequestObservation finished(String model, String tenant, Outcome outcome, Duration took,
                                               Duration firstToken) {
        RequestObservation done = new RequestObservation(model, tenant, 0);
        if (firstToken != null) {
            done.token(firstToken.toNanos());
        }
        done.finish(outcome, took.toNanos());
        return done;
    }

    private SloBoard board(StorageConfig storage, List<SloSpec> specs) {
        Database database = Database.open(storage, dataDir, metrics.registry());
        database.migrate(AuditLog.MODULE);
        database.migrate(Gateway.MODULE);
        opened.add(database);
        SloBoard board = new SloBoard(database, new AuditLog(database, clock), clock, specs);
        opened.add(board);
        return board;
    }
}
