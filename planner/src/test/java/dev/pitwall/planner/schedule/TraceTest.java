package dev.pitwall.planner.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public trace formats, as their documentation and releases write them. */
class TraceTest {

    @TempDir
    Path dir;

    @Test
    void readsHeliosGpuJobsIntoGangsPerNodeAndSaysWhatItCouldNotRead() throws Exception {
        Trace trace = Trace.read(resource("helios_cluster_log.csv"));
        assertThat(trace.format()).isEqualTo("helios");
        assertThat(trace.jobs()).extracting(SimJob::id).containsExactly("1425511", "1425512", "1425514");
        SimJob twoNodes = trace.jobs().get(2);
        assertThat(twoNodes.tasks()).isEqualTo(2);
        assertThat(twoNodes.gpusPerTask()).isEqualTo(8);
        assertThat(twoNodes.queue()).isEqualTo("vcJkd");
        assertThat(twoNodes.submitSeconds()).isEqualTo(69); // 18:42:10 less the first submission, 18:41:01
        assertThat(twoNodes.durationSeconds()).isEqualTo(7200);
        assertThat(trace.skipped()).isEqualTo(1); // the CPU-only job
        assertThat(trace.problems()).hasSize(2).anySatisfy(p -> assertThat(p).contains(":6:"))
                .anySatisfy(p -> assertThat(p).contains(":7:").contains("3 fields"));
    }

    @Test
    void readsPhillyJobsFromTheirAttemptsAndMachines() throws Exception {
        Trace trace = Trace.read(resource("philly_cluster_job_log.json"));
        assertThat(trace.format()).isEqualTo("philly");
        assertThat(trace.jobs()).extracting(SimJob::id).containsExactly("application_1506638472019_10238",
                "application_1506638472019_10240");
        SimJob first = trace.jobs().getFirst();
        assertThat(first.tasks()).isEqualTo(2);
        assertThat(first.gpus()).isEqualTo(16);
        assertThat(first.durationSeconds()).isEqualTo(76 * 60 + 3);
        // Retried: from the first attempt's start to the last one's end.
        assertThat(trace.jobs().get(1).durationSeconds()).isEqualTo(14 * 60);
        assertThat(trace.skipped()).isEqualTo(1);
        assertThat(trace.problems()).singleElement().asString().contains("application_1506638472019_10241");
    }

    @Test
    void readsAlibabasV2023PodsAsOneTaskJobsFromCreationToDeletion() throws Exception {
        Trace trace = Trace.read(resource("openb_pod_list_default.csv"));
        assertThat(trace.format()).isEqualTo("alibaba-v2023");
        assertThat(trace.jobs()).extracting(SimJob::id).containsExactly("openb-pod-0017", "openb-pod-0022");
        SimJob eight = trace.jobs().getFirst();
        assertThat(eight.gpus()).isEqualTo(8);
        assertThat(eight.cpusPerTask()).isEqualTo(88);
        assertThat(eight.durationSeconds()).isEqualTo(10_769_854 - 9_437_497);
        assertThat(eight.queue()).isEqualTo("LS");
        assertThat(trace.skipped()).isEqualTo(2); // no GPU; never scheduled
        assertThat(trace.problems()).singleElement().asString().contains(":6:");
    }

    @Test
    void readsAlibabasV2020TaskTableWithoutAHeaderIntoOneGangPerJob() throws Exception {
        Trace trace = Trace.read(resource("pai_task_table.csv"));
        assertThat(trace.format()).isEqualTo("alibaba-v2020");
        assertThat(trace.jobs()).singleElement().satisfies(job -> {
            assertThat(job.id()).isEqualTo("6cdfa7e3a0e5c0e5b8e3e47a");
            assertThat(job.tasks()).isEqualTo(6); // 2 + 4 instances
            assertThat(job.gpusPerTask()).isEqualTo(1); // half a GPU counts as one
            assertThat(job.durationSeconds()).isEqualTo(2_853_300 - 2_851_985);
        });
        assertThat(trace.skipped()).isEqualTo(1); // the task without GPUs
        assertThat(trace.problems()).singleElement().asString().contains(":4:");
    }

    @Test
    void aFileInNoKnownFormatIsRefusedNamingWhatEachFormatHas() throws Exception {
        Path other = Files.writeString(dir.resolve("jobs.csv"), "id,gpus\n1,8\n");
        assertThatThrownBy(() -> Trace.read(other)).isInstanceOf(IOException.class)
                .hasMessageContaining("jobs.csv").hasMessageContaining("gpu_num").hasMessageContaining("Philly");
    }

    private static Path resource(String name) throws Exception {
        return Path.of(TraceTest.class.getResource("/schedule/" + name).toURI());
    }
}
