package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fio's default text output (written here in fio 3.28's layout) gives what its JSON gives. */
class FioTextParserTest {

    static final String RUN = """
            randread: (g=0): rw=randread, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=libaio, iodepth=64
            ...
            seqwrite: (g=1): rw=write, bs=(R) 1024KiB-1024KiB, (W) 1024KiB-1024KiB, (T) 1024KiB-1024KiB, ioengine=libaio, iodepth=16
            fio-3.28
            Starting 5 processes
            Jobs: 1 (f=1): [_(4),W(1)][100.0%][w=2750MiB/s][w=2750 IOPS][eta 00m:00s]
            randread: (groupid=0, jobs=4): err= 0: pid=2211: Tue Nov 24 08:00:30 2026
              read: IOPS=342k, BW=1335MiB/s (1400MB/s)(39.1GiB/30001msec)
                slat (nsec): min=1040, max=412311, avg=2345.67, stdev=1011.20
                clat (usec): min=40, max=8010, avg=746.52, stdev=120.45
                 lat (usec): min=42, max=8012, avg=749.12, stdev=120.50
                clat percentiles (usec):
                 |  1.00th=[  400],  5.00th=[  498], 10.00th=[  553], 20.00th=[  603],
                 | 30.00th=[  676], 40.00th=[  717], 50.00th=[  750], 60.00th=[  783],
                 | 70.00th=[  816], 80.00th=[  865], 90.00th=[  914], 95.00th=[  955],
                 | 99.00th=[ 1123], 99.50th=[ 1254], 99.90th=[ 2008], 99.95th=[ 2540],
                 | 99.99th=[ 4490]
               bw (  MiB/s): min= 1200, max= 1400, per=100.00%, avg=1335.12, stdev= 5.67, samples=240
               iops        : min=307200, max=358400, avg=341790.00, stdev=1450.12, samples=240
              lat (usec)   : 50=0.01%, 100=0.01%, 250=0.05%, 500=5.01%, 750=45.12%, 1000=48.55%
              cpu          : usr=10.05%, sys=35.12%, ctx=2233445, majf=0, minf=312
              IO depths    : 1=0.1%, 2=0.1%, 4=0.1%, 8=0.1%, 16=0.1%, 32=0.1%, >=64=100.0%
            seqwrite: (groupid=1, jobs=1): err= 5 (file:io_u.c:1845, func=io_u error, error=Input/output error): pid=2215: Tue Nov 24 08:01:00 2026
              write: IOPS=2750, BW=2750MiB/s (2884MB/s)(80.6GiB/30010msec); 0 zone resets
                clat (msec): min=1, max=45, avg= 5.81, stdev= 1.02
                clat percentiles (msec):
                 |  1.00th=[    4],  5.00th=[    5], 10.00th=[    5], 20.00th=[    6],
                 | 99.00th=[    9], 99.50th=[   10], 99.90th=[   18], 99.95th=[   23],

            Run status group 0 (all jobs):
               READ: bw=1335MiB/s (1400MB/s), 1335MiB/s-1335MiB/s (1400MB/s-1400MB/s), io=39.1GiB (42.0GB), run=30001-30001msec

            Run status group 1 (all jobs):
              WRITE: bw=2750MiB/s (2884MB/s), 2750MiB/s-2750MiB/s (2884MB/s-2884MB/s), io=80.6GiB (86.5GB), run=30010-30010msec

            Disk stats (read/write):
              nvme0n1: ios=10240000/82400, merge=0/0, ticks=7600000/478000, in_queue=8078000, util=99.84%
            """;

    @Test
    void readsJobsDirectionsLatenciesAndDisks(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("fio.log"), RUN);
        ToolOutput out = ToolParsers.parse(file);
        assertThat(out.tool()).isEqualTo("fio");
        assertThat(out.problems()).isEmpty();
        Measurement readIops = only(out, "iops", "randread");
        assertThat(readIops.value()).isEqualTo(342_000.0);
        assertThat(readIops.labels()).containsEntry("direction", "read").containsEntry("rw", "randread")
                .containsEntry("bs", "4096B").containsEntry("iodepth", "64").containsEntry("numjobs", "4");
        assertThat(only(out, "bandwidth", "randread").value()).isEqualTo(1335.0 * 1024 * 1024);
        assertThat(only(out, "lat_mean", "randread").value()).as("total latency, not completion").isEqualTo(749.12);
        assertThat(only(out, "lat_p99", "randread").value()).isEqualTo(1123.0);
        // The second job prints completion latency in msec only.
        assertThat(only(out, "lat_mean", "seqwrite").value()).isCloseTo(5810.0, within(1e-9));
        assertThat(only(out, "lat_p99", "seqwrite").value()).isEqualTo(9000.0);
        assertThat(only(out, "iops", "seqwrite").labels()).containsEntry("direction", "write").containsEntry("bs", "1024KiB");
        assertThat(out.warnings()).singleElement().satisfies(w -> assertThat(w.reason()).isEqualTo(
                "fio reported error 5 for job seqwrite"));
        assertThat(out.measurements()).filteredOn(m -> m.name().equals("disk_util")).singleElement()
                .satisfies(m -> assertThat(m.value()).isEqualTo(99.84));
    }

    @Test
    void saysWhenTheRunStoppedBeforeItsResults() {
        ToolOutput out = new FioTextParser().parse("cut.log", List.of(
                "randread: (g=0): rw=randread, bs=(R) 4096B-4096B, (W) 4096B-4096B, (T) 4096B-4096B, ioengine=libaio, iodepth=64",
                "fio-3.28", "Starting 1 process", "randread: (groupid=0, jobs=1): err= 0: pid=1: Tue Nov 24 08:00:30 2026"));
        assertThat(out.problems()).extracting(Problem::reason)
                .containsExactly("no \"read: IOPS=…, BW=…\" lines: the run stopped before its results");
    }

    private static Measurement only(ToolOutput out, String name, String job) {
        List<Measurement> found = out.measurements().stream()
                .filter(m -> m.name().equals(name) && job.equals(m.label("job"))).toList();
        assertThat(found).hasSize(1);
        return found.getFirst();
    }
}
