package dev.pitwall.server.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRecordsTest {

    @TempDir
    Path dir;

    @Test
    void readsSacctParsableOutputTakingGpusFromAllocTresAndCountingUnfinishedJobs() throws Exception {
        Path file = Files.writeString(dir.resolve("sacct.txt"), """
                JobID|Submit|Start|End|AllocTRES|State
                4101|2026-11-02T08:00:00|2026-11-02T08:10:00|2026-11-02T20:10:00|billing=64,cpu=64,gres/gpu:h100=8,mem=1T,node=1|COMPLETED
                4102|2026-11-03T09:00:00|2026-11-03T09:00:00|2026-11-03T11:00:00|billing=16,cpu=16,gres/gpu=16,node=2|FAILED
                4103|2026-11-04T09:00:00|2026-11-04T09:05:00|Unknown|cpu=8,gres/gpu=8,node=1|RUNNING
                4104|2026-11-04T10:00:00|Unknown|Unknown|cpu=8,gres/gpu=8|PENDING
                4105|2026-11-04T10:00:00|2026-11-04T10:00:00|2026-11-04T11:00:00|cpu=8,mem=8G,node=1|COMPLETED
                """);

        JobRecords read = JobRecords.read(file);

        assertThat(read.jobs()).extracting(JobRecords.Job::id).containsExactly("4101", "4102");
        assertThat(read.jobs().getFirst().gpus()).isEqualTo(8);
        assertThat(read.jobs().getFirst().gpuHours()).isEqualTo(96.0);
        assertThat(read.jobs().getFirst().endToEndHours()).isCloseTo(12 + 10 / 60.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(read.jobs().getFirst().started()).isEqualTo(Instant.parse("2026-11-02T08:10:00Z"));
        assertThat(read.unfinished()).isEqualTo(2);
        // A CPU-only job is named as a problem, not counted as a GPU job of zero GPU-hours.
        assertThat(read.problems()).singleElement().satisfies(p -> assertThat(p).startsWith("line 6:").contains("no GPU"));
    }

    @Test
    void readsPitwallsCsvWithTokensAndSaysWhichRowsItCouldNotRead() throws Exception {
        Path file = Files.writeString(dir.resolve("jobs.csv"), """
                job,gpus,submitted,started,ended,tokens
                llama-8b-a,64,2026-11-02T08:00:00Z,2026-11-02T09:00:00Z,2026-11-02T19:00:00Z,3.6e10
                llama-8b-b,64,2026-11-03T08:00:00Z,2026-11-03T07:00:00Z,2026-11-03T19:00:00Z,
                llama-8b-c,sixty-four,2026-11-03T08:00:00Z,2026-11-03T09:00:00Z,2026-11-03T19:00:00Z,
                """);

        JobRecords read = JobRecords.read(file);

        assertThat(read.jobs()).singleElement().satisfies(j -> {
            assertThat(j.tokensPerSecond()).hasValue(1_000_000.0);
            assertThat(j.gpuHours()).isEqualTo(640.0);
        });
        assertThat(read.problems()).hasSize(2);
        assertThat(read.problems().get(0)).startsWith("line 3:").contains("out of order");
        assertThat(read.problems().get(1)).startsWith("line 4:");

        Path wrong = Files.writeString(dir.resolve("wrong.csv"), "name,start\nx,2026-11-01T00:00:00Z\n");
        assertThatThrownBy(() -> JobRecords.read(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job,gpus,submitted,started,ended");
    }
}
