package dev.pitwall.acceptance.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pitwall.core.config.ConfigException;
import dev.pitwall.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans run real commands: outputs saved per node, budgets enforced, everything recorded. */
class CheckRunnerTest {

    @TempDir
    Path dir;

    private CheckPlan plan(String yaml) throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, yaml);
        return CheckPlan.load(file.toString());
    }

    @Test
    void savesEachNodesOutputsAndRecordsTheRun() throws Exception {
        CheckPlan plan = plan("""
                name: smoke
                runner: "NODE={node} sh -c {command}"
                steps:
                  - name: hello
                    command: echo "hello from $NODE"
                    output: hello.log
                    timeout: 10s
                  - name: failing
                    command: echo partial; exit 3
                    output: failing.log
                """);
        Path results = dir.resolve("results");
        List<StepResult> seen = new CopyOnWriteArrayList<>();
        CheckRunner.RunRecord record = CheckRunner.run(plan, List.of("n1", "n2"), results, Clock.systemUTC(), seen::add);

        assertThat(results.resolve("n1/hello.log")).content().isEqualTo("hello from n1\n");
        assertThat(results.resolve("n2/hello.log")).content().isEqualTo("hello from n2\n");
        assertThat(results.resolve("n2/failing.log")).content().isEqualTo("partial\n");
        assertThat(seen).hasSize(4);
        assertThat(record.allOk()).isFalse();
        assertThat(record.results()).filteredOn(r -> r.step().equals("failing"))
                .allSatisfy(r -> assertThat(r.exitCode()).isEqualTo(3));
        JsonNode saved = Json.mapper().readTree(results.resolve(CheckRunner.RECORD).toFile());
        assertThat(saved.path("plan").asText()).isEqualTo("smoke");
        assertThat(saved.path("results")).hasSize(4);
    }

    @Test
    void stopsAStepAtItsTimeBudget() throws Exception {
        CheckPlan plan = plan("""
                name: slow
                steps:
                  - name: hang
                    command: echo started; sleep 30
                    output: hang.log
                    timeout: 300ms
                """);
        long start = System.nanoTime();
        CheckRunner.RunRecord record = CheckRunner.run(plan, List.of("local"), dir.resolve("r"), Clock.systemUTC(), r -> { });
        assertThat((System.nanoTime() - start) / 1e9).as("the 30 s sleep was cut").isLessThan(20);
        StepResult result = record.results().getFirst();
        assertThat(result.timedOut()).isTrue();
        assertThat(result.ok()).isFalse();
        assertThat(dir.resolve("r/local/hang.log")).content().startsWith("started\n");
    }

    @Test
    void buildsRemoteCommandsWithTheNodeAndTheCommandQuoted() {
        CheckPlan.Step step = new CheckPlan.Step("s", "echo it's", "o.log", null);
        assertThat(new CheckPlan("p", "", "ssh", List.of(), List.of(step)).commandFor("gpu-a01", "echo it's"))
                .isEqualTo("ssh -o BatchMode=yes 'gpu-a01' 'echo it'\\''s'");
        assertThat(new CheckPlan("p", "", "srun", List.of(), List.of(step)).commandFor("gpu-a01", "nvidia-smi -q -x"))
                .isEqualTo("srun --nodes=1 --nodelist='gpu-a01' sh -c 'nvidia-smi -q -x'");
        assertThat(new CheckPlan("p", "", "kubectl", List.of(), List.of(step)).commandFor("pod-7", "true"))
                .isEqualTo("kubectl exec 'pod-7' -- sh -c 'true'");
    }

    @Test
    void shipsTwoPlansAndRefusesBrokenOnes() throws Exception {
        assertThat(CheckPlan.load("quick").steps()).extracting(CheckPlan.Step::output)
                .contains("nvidia-smi.xml", "all_reduce_perf.log", "gpu_burn.log");
        assertThat(CheckPlan.load("full").steps()).hasSizeGreaterThan(CheckPlan.load("quick").steps().size());
        assertThatThrownBy(() -> plan("steps:\n  - name: x\n    command: true\n    output: ../escape.log\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("steps[0].output");
        assertThatThrownBy(() -> plan("runner: telnet\nsteps:\n  - name: x\n    command: true\n    output: x.log\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("runner");
    }
}
