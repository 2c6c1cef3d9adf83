package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FioJsonParserTest {

    static final String RUN = """
            fio: this platform does not support process shared mutexes, forcing use of threads.
            {
              "fio version" : "fio-3.35",
              "global options" : {"iodepth" : "32", "bs" : "128k"},
              "jobs" : [ {
                "jobname" : "seqread", "error" : 0,
                "job options" : {"rw" : "read", "filename" : "/dev/nvme1n1"},
                "read" : {"io_bytes" : 1048576, "bw_bytes" : 3221225472, "bw" : 3145728, "iops" : 24576.0,
                          "clat_ns" : {"mean" : 1300000.0, "percentile" : {"99.000000" : 2500000}},
                          "lat_ns" : {"mean" : 1302000.0}},
                "write" : {"io_bytes" : 0, "iops" : 0.0}
              }, {
                "jobname" : "broken", "error" : 5, "read" : {"io_bytes" : 0, "iops" : 0.0}
              } ],
              "disk_util" : [ {"name" : "nvme1n1", "util" : 98.5} ]
            }
            """;

    private static double value(ToolOutput out, String name, String job, String direction) {
        return out.measurements().stream()
                .filter(m -> m.name().equals(name) && job.equals(m.label("job")) && direction.equals(m.label("direction")))
                .findFirst().orElseThrow().value();
    }

    @Test
    void readsEachJobAndDirectionThatMovedData() {
        ToolOutput out = new FioJsonParser().parse("fio.json", RUN.lines().toList());
        assertThat(value(out, "iops", "seqread", "read")).isEqualTo(24576.0);
        assertThat(value(out, "bandwidth", "seqread", "read")).isEqualTo(3221225472.0);
        assertThat(value(out, "lat_mean", "seqread", "read")).isEqualTo(1302.0);
        assertThat(value(out, "lat_p99", "seqread", "read")).isEqualTo(2500.0);
        Measurement iops = out.measurements().getFirst();
        assertThat(iops.label("bs")).as("from the global options").isEqualTo("128k");
        assertThat(iops.label("filename")).isEqualTo("/dev/nvme1n1");
        assertThat(out.measurements()).noneMatch(m -> "write".equals(m.label("direction")));
        assertThat(out.measurements()).anySatisfy(m -> {
            assertThat(m.name()).isEqualTo("disk_util");
            assertThat(m.value()).isEqualTo(98.5);
        });
        assertThat(out.warnings()).singleElement().satisfies(w -> assertThat(w.reason()).contains("error 5"));
        assertThat(out.problems()).isEmpty();
    }

    @Test
    void saysWhereTheJsonIsCutShort() {
        List<String> lines = List.of("{", "  \"fio version\" : \"fio-3.16\",", "  \"jobs\" : [ {", "    \"jobname\" : \"x\",");
        ToolOutput out = new FioJsonParser().parse("fio.json", lines);
        assertThat(out.measurements()).isEmpty();
        assertThat(out.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("cut short"));
    }

    @Test
    void readsTheRealSamples() throws Exception {
        ToolOutput rbd = ToolParsers.parse(Samples.dir("fio").resolve("kubestr_fio320_rbd_randread_randwrite_4k_qd64.json"));
        assertThat(rbd.tool()).isEqualTo("fio");
        assertThat(value(rbd, "iops", "read_iops", "read")).isEqualTo(982.05078);
        assertThat(value(rbd, "iops", "write_iops", "write")).isEqualTo(390.525218);
        assertThat(rbd.measurements()).anySatisfy(m -> assertThat(m.label("disk")).isEqualTo("rbd4"));

        ToolOutput nvme = ToolParsers.parse(Samples.dir("fio").resolve("superbench_fio316_nvme_randrw_4k_qd64x4.json"));
        assertThat(value(nvme, "iops", "rand_read_write", "read")).isEqualTo(85138.890741);
        assertThat(value(nvme, "lat_p99", "rand_read_write", "read")).isEqualTo(2244.608);
        assertThat(value(nvme, "lat_p99", "rand_read_write", "write")).isEqualTo(2072.576);

        ToolOutput windows = ToolParsers.parse(Samples.dir("fio").resolve("virtualclient_fio326_randwrite_4k_qd1_windows.json"));
        assertThat(value(windows, "iops", "fio_randwrite_1GB_4k_d1_th1_direct", "write")).isEqualTo(2167.231601);
        assertThat(value(windows, "bandwidth", "fio_randwrite_1GB_4k_d1_th1_direct", "write")).isEqualTo(8876980.0);
        assertThat(windows.problems()).isEmpty();
    }
}
