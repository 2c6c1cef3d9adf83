package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.run.CheckPlan;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.ConfigLoader;
import dev.pitwall.core.config.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A campaign: stages run one after another on every node still in it (sanity, validation,
 * performance, stress, as public GPU burn-in procedures order them), the whole repeated round
 * after round until its duration ends. A node that fails a stage leaves the campaign; across
 * rounds each node's figures and health counters are followed for trends.
 *
 * @param runner   how a command reaches a node, as in a check plan
 * @param duration how long rounds keep starting, unless the command line says otherwise
 * @param trends   when a change across rounds fails a node
 */
public record CampaignPlan(String name, String description, String runner, List<String> nodes, Duration duration,
                           List<Stage> stages, TrendRules trends) {

    /** Plans shipped with Pitwall. */
    public static final List<String> BUILT_IN = List.of("burn-in");

    /**
     * One stage: steps as in a check plan. A step's command may name {@code {peer}}, the node this
     * node is paired with in the round (pairs change from round to round, so every link is tried).
     */
    public record Stage(String name, String description, List<CheckPlan.Step> steps) {

        public Stage {
            if (name == null || !name.matches("[a-z0-9][a-z0-9-]*")) {
                throw new ConfigProblem("name", name == null ? "nothing" : "\"" + name + "\"",
                        "a stage name of lower-case letters, digits and '-'");
            }
            description = description == null ? "" : description;
            steps = steps == null ? List.of() : List.copyOf(steps);
            if (steps.isEmpty()) {
                throw new ConfigProblem("steps", "nothing", "at least one step");
            }
        }
    }

    /**
     * @param significance    the Mann-Kendall p-value under which a change is more than noise
     * @param minDecline      the fitted fall of a figure over the campaign, as a share of its first
     *                        round, from which a significant fall fails the node (smaller ones are noise
     *                        a careful person would not pull a node for)
     * @param linkFlapsToFail link-down events over the campaign that fail a node however they are spread
     * @param throttleSeconds thermal throttling in one round (all of a node's GPUs together) worth a
     *                        warning, and which a growing trend must reach to fail the node: a second of
     *                        throttling in an hour's stress is the weather, not a fault
     */
    public record TrendRules(double significance, double minDecline, int linkFlapsToFail, double throttleSeconds) {

        public static final TrendRules DEFAULTS = new TrendRules(0.01, 0.03, 3, 30);

        public TrendRules {
            if (!(significance > 0 && significance < 0.5)) {
                throw new ConfigProblem("significance", significance, "a p-value between 0 and 0.5");
            }
            if (!(minDecline >= 0 && minDecline < 1)) {
                throw new ConfigProblem("min-decline", minDecline, "a share between 0 and 1 (0.03 is 3%)");
            }
            ConfigProblem.atLeast("link-flaps-to-fail", linkFlapsToFail, 1, "a count");
            if (!(throttleSeconds > 0)) {
                throw new ConfigProblem("throttle-seconds", throttleSeconds, "seconds greater than zero");
            }
        }
    }

    public CampaignPlan {
        name = name == null ? "" : name;
        description = description == null ? "" : description;
        runner = runner == null || runner.isBlank() ? "local" : runner;
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        duration = duration == null ? Duration.ofHours(24) : ConfigProblem.positive("duration", duration);
        stages = stages == null ? List.of() : List.copyOf(stages);
        trends = trends == null ? TrendRules.DEFAULTS : trends;
        if (stages.isEmpty()) {
            throw new ConfigProblem("stages", "nothing", "at least one stage");
        }
        Set<String> seen = new HashSet<>();
        for (Stage stage : stages) {
            if (!seen.add(stage.name())) {
                throw new ConfigProblem("stages", "\"" + stage.name() + "\" twice", "each stage named once");
            }
        }
        // The runner is checked as a check plan checks it.
        stagePlan(stages.getFirst(), runner);
    }

    private static CampaignPlan empty() {
        return new CampaignPlan("", "", "local", List.of(), null,
                List.of(new Stage("x", "", List.of(new CheckPlan.Step("x", "true", "x.log", null)))), null);
    }

    /** A shipped plan by name, or a YAML file by path; errors name the file, line and key. */
    public static CampaignPlan load(String nameOrFile) {
        ConfigLoader<CampaignPlan> loader = new ConfigLoader<>(CampaignPlan.class, empty());
        if (BUILT_IN.contains(nameOrFile)) {
            String resource = "/acceptance/campaigns/" + nameOrFile + ".yaml";
            try (InputStream in = CampaignPlan.class.getResourceAsStream(resource)) {
                return loader.load(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
            } catch (IOException e) {
                throw new IllegalStateException(resource + " cannot be read", e);
            }
        }
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file)) {
            throw new ConfigException(nameOrFile + ": no such campaign plan; use one of " + String.join(", ", BUILT_IN)
                    + " or the path of a YAML campaign plan" + (nameOrFile.equals("stability")
                    ? " (a long training run's stability is judged by pitwall report stability)" : ""));
        }
        return loader.load(Optional.of(file), Map.of());
    }

    public Optional<Stage> stage(String stageName) {
        return stages.stream().filter(s -> s.name().equals(stageName)).findFirst();
    }

    /** A stage as the check plan its runner executes. */
    public CheckPlan stagePlan(Stage stage) {
        return stagePlan(stage, runner);
    }

    private static CheckPlan stagePlan(Stage stage, String runner) {
        return new CheckPlan(stage.name(), stage.description(), runner, List.of(), stage.steps());
    }
}
