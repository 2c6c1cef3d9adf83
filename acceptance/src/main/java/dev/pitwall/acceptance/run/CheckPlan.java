package dev.pitwall.acceptance.run;

import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.config.ConfigLoader;
import dev.pitwall.core.config.ConfigProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a check run executes: steps, each a command whose output is saved under
 * {@code <results>/<node>/<output>}, run on every node through a runner.
 *
 * @param runner how a command reaches a node: {@code local}, {@code ssh}, {@code srun},
 *               {@code kubectl}, or a template with {@code {node}} and {@code {command}}
 * @param nodes  the nodes, unless given on the command line
 */
public record CheckPlan(String name, String description, String runner, List<String> nodes, List<Step> steps) {

    /** Plans shipped with Pitwall. */
    public static final List<String> BUILT_IN = List.of("quick", "full");

    /**
     * @param output  the file the command's output is saved to (its extension helps nothing: parsers read content)
     * @param timeout the step's time budget on one node; past it the command is stopped
     */
    public record Step(String name, String command, String output, Duration timeout) {

        public Step {
            if (name == null || name.isBlank()) {
                throw new ConfigProblem("name", "nothing", "a step name");
            }
            if (command == null || command.isBlank()) {
                throw new ConfigProblem("command", "nothing", "the command to run");
            }
            if (output == null || !output.matches("[A-Za-z0-9._-]+")) {
                throw new ConfigProblem("output", output == null ? "nothing" : "\"" + output + "\"",
                        "a file name of letters, digits, '.', '_' and '-'");
            }
            timeout = timeout == null ? Duration.ofMinutes(10) : ConfigProblem.positive("timeout", timeout);
        }
    }

    public CheckPlan {
        name = name == null ? "" : name;
        description = description == null ? "" : description;
        runner = runner == null || runner.isBlank() ? "local" : runner;
        if (!List.of("local", "ssh", "srun", "kubectl").contains(runner)
                && !(runner.contains("{node}") && runner.contains("{command}"))) {
            throw new ConfigProblem("runner", "\"" + runner + "\"",
                    "local, ssh, srun, kubectl, or a template with {node} and {command}");
        }
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        steps = steps == null ? List.of() : List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new ConfigProblem("steps", "nothing", "at least one step");
        }
    }

    private static CheckPlan empty() {
        return new CheckPlan("", "", "local", List.of(), List.of(new Step("x", "true", "x.log", null)));
    }

    /** A shipped plan by name, or a YAML file by path. */
    public static CheckPlan load(String nameOrFile) {
        ConfigLoader<CheckPlan> loader = new ConfigLoader<>(CheckPlan.class, empty());
        if (BUILT_IN.contains(nameOrFile)) {
            String resource = "/acceptance/plans/" + nameOrFile + ".yaml";
            try (InputStream in = CheckPlan.class.getResourceAsStream(resource)) {
                return loader.load(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
            } catch (IOException e) {
                throw new IllegalStateException(resource + " cannot be read", e);
            }
        }
        Path file = Path.of(nameOrFile);
        if (!Files.exists(file)) {
            throw new ConfigException(nameOrFile + ": no such plan; use one of " + String.join(", ", BUILT_IN)
                    + " or the path of a YAML plan");
        }
        return loader.load(Optional.of(file), Map.of());
    }

    /** The shell command that runs {@code command} on {@code node} through this plan's runner. */
    public String commandFor(String node, String command) {
        return switch (runner) {
            case "local" -> command;
            case "ssh" -> "ssh -o BatchMode=yes " + quote(node) + " " + quote(command);
            case "srun" -> "srun --nodes=1 --nodelist=" + quote(node) + " sh -c " + quote(command);
            case "kubectl" -> "kubectl exec " + quote(node) + " -- sh -c " + quote(command);
            default -> runner.replace("{node}", quote(node)).replace("{command}", quote(command));
        };
    }

    /** One shell word: single quotes, with single quotes inside closed, escaped and reopened. */
    static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
