package dev.pitwall.planner.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The simulator against answers known from the literature and from the schedulers' own documents. */
class ScheduleSimulatorTest {

    @Test
    void drfGivesThePapersAllocation() {
        // Ghodsi et al., "Dominant Resource Fairness" (NSDI 2011): <9 CPU, 18 GB>, A's tasks <1 CPU, 4 GB>,
        // B's <3 CPU, 1 GB>: A runs 3 tasks, B 2, each with a dominant share of 2/3.
        SimCluster cluster = new SimCluster(1, 0, 9, 18, 1, 1);
        List<SimJob> jobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            jobs.add(new SimJob("a-" + i, "A", 0, 1000, 1, 0, 1, 4));
        }
        for (int i = 0; i < 10; i++) {
            jobs.add(new SimJob("b-" + i, "B", 0, 1000, 1, 0, 3, 1));
        }
        ScheduleSimulator drf = new ScheduleSimulator(cluster, jobs, Policy.DRF);
        drf.run();
        Map<String, Long> starts = drf.starts();
        long a = starts.entrySet().stream().filter(e -> e.getKey().startsWith("a-") && e.getValue() == 0).count();
        long b = starts.entrySet().stream().filter(e -> e.getKey().startsWith("b-") && e.getValue() == 0).count();
        assertThat(a).isEqualTo(3);
        assertThat(b).isEqualTo(2);
        // Arrival order instead gives the node to whoever came first: four of A's, none of B's.
        ScheduleSimulator fifo = new ScheduleSimulator(cluster, jobs, Policy.FIFO);
        fifo.run();
        assertThat(fifo.starts().entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey))
                .containsExactlyInAnyOrder("a-0", "a-1", "a-2", "a-3");
    }

    @Test
    void balancedPlacementSplitsTwelveOverTwoDomainsOfTenAsSixAndSixWhereGreedyGivesTenAndTwo() {
        assertThat(Placement.split(12, new int[] {10, 10}, false)).containsExactly(10, 2);
        assertThat(Placement.split(12, new int[] {10, 10}, true)).containsExactly(6, 6);
        assertThat(Placement.split(21, new int[] {10, 10}, true)).isNull();
        assertThat(Placement.split(13, new int[] {10, 3}, true)).containsExactly(10, 3);

        // The same on a cluster: two racks of ten one-GPU nodes, one block; a job of twelve one-GPU tasks.
        SimCluster cluster = new SimCluster(20, 1, 8, 64, 10, 2);
        List<SimJob> job = List.of(new SimJob("wide", "q", 0, 100, 12, 1, 1, 1));
        assertThat(perRack(cluster, job, Policy.TOPOLOGY_BESTFIT)).containsExactly(10, 2);
        assertThat(perRack(cluster, job, Policy.TOPOLOGY_BALANCED)).containsExactly(6, 6);
    }

    @Test
    void aJobThatFitsARackIsKeptInOneRack() {
        SimCluster cluster = new SimCluster(8, 8, 192, 2048, 4, 2);
        // Node 0 partly taken first, so a first-fit placement would straddle the racks.
        List<SimJob> jobs = List.of(new SimJob("small", "q", 0, 1000, 1, 4, 1, 1),
                new SimJob("rack", "q", 0, 1000, 4, 8, 1, 1));
        ScheduleSimulator sim = new ScheduleSimulator(cluster, jobs, Policy.TOPOLOGY_BESTFIT);
        sim.run();
        assertThat(Arrays.stream(sim.nodesOf("rack")).map(cluster::rackOf).distinct().toArray()).hasSize(1);
    }

    @Test
    void onAHeavilyLoadedTraceSjfBeatsFifoOnCompletionTimeAndWait() {
        SimCluster cluster = new SimCluster(32, 8, 192, 2048, 4, 8);
        List<SimJob> trace = SyntheticTrace.generate(7, 3000, cluster, 1.3);
        ScheduleResult fifo = new ScheduleSimulator(cluster, trace, Policy.FIFO).run();
        ScheduleResult sjf = new ScheduleSimulator(cluster, trace, Policy.SJF).run();
        assertThat(sjf.jctMeanSeconds()).isLessThan(fifo.jctMeanSeconds());
        assertThat(sjf.waitMeanSeconds()).isLessThan(fifo.waitMeanSeconds());
        assertThat(fifo.neverStarted()).isZero();
        assertThat(sjf.neverStarted()).isZero();
        assertThat(fifo.gpuAllocation()).isBetween(0.0, 1.0);
        // Backfilling fills holes that strict arrival order leaves.
        ScheduleResult gang = new ScheduleSimulator(cluster, trace, Policy.GANG).run();
        assertThat(gang.waitMeanSeconds()).isLessThan(fifo.waitMeanSeconds());
    }

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
        SimCluster cluster = new SimCluster(16, 8, 192, 2048, 4, 4);
        ScheduleResult one = new ScheduleSimulator(cluster, SyntheticTrace.generate(11, 500, cluster, 0.9), Policy.DRF).run();
        ScheduleResult two = new ScheduleSimulator(cluster, SyntheticTrace.generate(11, 500, cluster, 0.9), Policy.DRF).run();
        ScheduleResult other = new ScheduleSimulator(cluster, SyntheticTrace.generate(12, 500, cluster, 0.9), Policy.DRF).run();
        assertThat(two).isEqualTo(one);
        assertThat(other).isNotEqualTo(one);
    }

    @Test
    void aJobLargerThanTheClusterNeverStartsAndHoldsNobodyUpUnderBackfill() {
        SimCluster cluster = new SimCluster(2, 8, 192, 2048, 2, 1);
        List<SimJob> jobs = List.of(new SimJob("huge", "q", 0, 100, 4, 8, 1, 1),
                new SimJob("fits", "q", 10, 100, 1, 8, 1, 1));
        ScheduleResult gang = new ScheduleSimulator(cluster, jobs, Policy.GANG).run();
        assertThat(gang.neverStarted()).isEqualTo(1);
        assertThat(gang.waitMeanSeconds()).isZero();
        // Strict arrival order: the huge job blocks the small one for good.
        assertThat(new ScheduleSimulator(cluster, jobs, Policy.FIFO).run().neverStarted()).isEqualTo(2);
    }

    @Test
    void fragmentationCountsFreeGpusOnlyOnNodesPartlyInUse() {
        SimCluster cluster = new SimCluster(2, 8, 192, 2048, 2, 1);
        // One 2-GPU job for 100 s: 6 GPUs of one node sit free beside it; the other node is whole.
        ScheduleResult r = new ScheduleSimulator(cluster, List.of(new SimJob("j", "q", 0, 100, 1, 2, 1, 1)),
                Policy.GANG).run();
        assertThat(r.fragmentedGpus()).isEqualTo(6.0);
        assertThat(r.gpuAllocation()).isEqualTo(2 / 16.0);
        assertThat(r.makespanSeconds()).isEqualTo(100);
        // Allocated from 0 s, free again at 100 s.
        assertThat(r.allocationHours()).containsExactly(0.0, 100 / 3600.0);
        assertThat(r.allocatedShare()).containsExactly(2 / 16.0, 0.0);
    }

    @Test
    void theReportComparesThePoliciesWithTheCdfAndTheAllocationOverTime() {
        SimCluster cluster = new SimCluster(16, 8, 192, 2048, 4, 4);
        List<SimJob> trace = SyntheticTrace.generate(3, 400, cluster, 1.0);
        List<ScheduleResult> results = List.of(new ScheduleSimulator(cluster, trace, Policy.FIFO).run(),
                new ScheduleSimulator(cluster, trace, Policy.SJF).run());
        String html = dev.pitwall.core.report.DocumentWriter.write(ScheduleReport.of(cluster, "400 synthetic jobs",
                results), "html");
        assertThat(html).contains("Policies compared", "fifo", "sjf", "Job completion time, cumulative",
                "GPUs allocated over time").containsPattern("<svg");
        assertThat(results.getFirst().jctCdf()).hasSize(20).isSorted();
        assertThat(results.getFirst().allocationHours().getLast() * 3600)
                .isEqualTo(results.getFirst().makespanSeconds(), org.assertj.core.data.Offset.offset(1e-6));
    }

    private static List<Integer> perRack(SimCluster cluster, List<SimJob> jobs, Policy policy) {
        ScheduleSimulator sim = new ScheduleSimulator(cluster, jobs, policy);
        sim.run();
        int[] counts = new int[2];
        for (int node : sim.nodesOf(jobs.getFirst().id())) {
            counts[cluster.rackOf(node)]++;
        }
        return List.of(counts[0], counts[1]);
    }
}
