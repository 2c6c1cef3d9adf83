package dev.pitwall.server.cli;

import dev.pitwall.acceptance.campaign.CampaignRunner;
import dev.pitwall.acceptance.run.CheckPlan;
import dev.pitwall.acceptance.run.CheckRunner;
import dev.pitwall.acceptance.run.StepResult;
import dev.pitwall.sim.cluster.BurnInCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A campaign's stages on the simulated burn-in cluster: each step's output written as the tool
 * would write it on that node in that round, and the campaign's time moved on by what the stage
 * would take (three quarters of its steps' time budgets, one after another), so a day-long
 * campaign runs in seconds with its rounds where a real one would have them.
 */
final class SimulatedBurnIn implements CampaignRunner.StageExecutor {

    /** The runner its stage records name, so a simulated campaign is told from a real one. */
    static final String RUNNER = "simulated";

    /** The campaign's clock: simulated time, moved on by each stage. */
    static final class Time extends Clock {

        private volatile Instant now;

        Time(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final BurnInCluster cluster;
    private final Time time;

    SimulatedBurnIn(BurnInCluster cluster, Time time) {
        this.cluster = cluster;
        this.time = time;
    }

    @Override
    public CheckRunner.RunRecord run(CheckPlan stage, int round, List<String> nodes, Map<String, String> peers,
                                     Path folder) throws IOException {
        Instant started = time.instant();
        List<StepResult> results = new ArrayList<>();
        Duration took = Duration.ZERO;
        for (CheckPlan.Step step : stage.steps()) {
            Duration budget = step.timeout();
            for (String node : nodes) {
                Path file = Files.createDirectories(folder.resolve(node)).resolve(step.output());
                BurnInCluster.Outcome outcome = cluster.write(step.output(), node, round, file);
                results.add(switch (outcome) {
                    case OK -> new StepResult(node, step.name(), step.output(), 0, false, budget.toSeconds() * 0.75, null);
                    case HUNG -> new StepResult(node, step.name(), step.output(), -1, true, budget.toSeconds(), null);
                    case UNREACHABLE -> new StepResult(node, step.name(), step.output(), 255, false, 3, null);
                    case UNKNOWN -> new StepResult(node, step.name(), step.output(), 127, false, 0,
                            "the simulated cluster has no tool that writes " + step.output());
                });
            }
            took = took.plus(budget.multipliedBy(3).dividedBy(4));
        }
        time.advance(took);
        CheckRunner.RunRecord record = new CheckRunner.RunRecord(stage.name(), RUNNER, List.copyOf(nodes), started,
                time.instant(), results, Map.of());
        CheckRunner.save(record, folder);
        return record;
    }
}
