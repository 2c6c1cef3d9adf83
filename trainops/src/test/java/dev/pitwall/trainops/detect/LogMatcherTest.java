package dev.pitwall.trainops.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pitwall.core.testing.SharedSamples;
import dev.pitwall.trainops.signal.Severity;
import dev.pitwall.trainops.signal.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernel and job log lines as GPU nodes write them, and what each one means. */
class LogMatcherTest {

    private final LogMatcher matcher = new LogMatcher(RuleCatalog.builtIn());
    private static final List<DetectionRule> RULES = RuleCatalog.builtIn().rules();
    /** The plain way's expressions, each compiled once. */
    private static final Map<String, java.util.regex.Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private Signal only(String line) {
        return matcher.match(line).orElseThrow(() -> new AssertionError("no signal for: " + line));
    }

    @Test
    void readsXidEventsAndLooksTheirCodesUp() {
        Signal xid = only("[Mon Mar  3 10:01:02 2025] NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, "
                + "GPU has fallen off the bus.");
        assertThat(xid.rule()).isEqualTo("xid");
        assertThat(xid.fields()).containsEntry("xid", "79").containsEntry("pci", "0000:3b:00").containsEntry("pid", "2311");
        assertThat(xid.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(xid.meaning()).isEqualTo("Xid 79: GPU has fallen off the bus");
        assertThat(xid.action()).startsWith("drain the node");

        Signal app = only("NVRM: Xid (PCI:0000:38:00): 13, pid='<unknown>', name=<unknown>, Graphics Exception");
        assertThat(app.severity()).isEqualTo(Severity.WARNING);

        Signal unknown = only("NVRM: Xid (PCI:0000:38:00): 999, pid=1, name=x, something new");
        assertThat(unknown.meaning()).isEqualTo("Xid 999: not in the catalog");
    }

    @Test
    void readsNcclOomNanAndNetworkFailures() {
        assertThat(only("[rank3]:[E ProcessGroupNCCL.cpp:1182] [Rank 3] Watchdog caught collective operation timeout: "
                + "WorkNCCL(SeqNum=88412, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600021 ms")
                .fields()).containsEntry("seq", "88412").containsEntry("op", "ALLREDUCE");
        assertThat(only("node-7:1234:1290 [3] NCCL WARN NET/IB : Got completion from peer with error 12").rule())
                .isEqualTo("nccl-error");
        assertThat(only("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB (GPU 0; 79.15 GiB total)")
                .fields()).containsEntry("requested", "2.50 GiB");
        assertThat(only(" iteration     1200/  500000 | lm loss: nan | loss scale: 1.0 |").rule()).isEqualTo("nan-loss");
        assertThat(only("Aug 17 06:18:01 vm-0 systemd-networkd[5398]: ib6: lost carrier").fields()).containsEntry("device", "ib6");
        assertThat(matcher.match(" iteration 1200 | lm loss: 2.153E+00 | grad norm: 0.41")).isEmpty();
        assertThat(matcher.match("NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.54.15")).isEmpty();
    }

    @Test
    void letsUsersAddAndOverrideRules(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, """
                rules:
                  - id: ecc-sbe-storm
                    category: memory
                    severity: warning
                    pattern: 'EDAC MC(?<mc>\\d+): (?<count>\\d+) CE'
                    meaning: host memory corrected errors
                    action: watch the DIMM
                xid:
                  - {code: 13, severity: error, meaning: "treated as serious here", action: "page the on-call"}
                """);
        LogMatcher mine = new LogMatcher(RuleCatalog.builtIn().with(file));
        assertThat(mine.match("EDAC MC0: 12 CE memory read error").orElseThrow().fields())
                .isEqualTo(Map.of("mc", "0", "count", "12"));
        assertThat(mine.match("NVRM: Xid (PCI:0000:38:00): 13, pid=1, name=x, y").orElseThrow().severity())
                .isEqualTo(Severity.ERROR);
    }

    @Test
    void findsWhatTheRealLogsShow() throws Exception {
        Path samples = SharedSamples.root();
        LogScanner scanner = new LogScanner(matcher);

        List<Signal> gsp = signals(scanner, samples.resolve("kernel_logs/dmesg_xid119_gsp_timeout_h100.log"));
        assertThat(gsp).filteredOn(s -> "119".equals(s.fields().get("xid"))).hasSize(5)
                .allSatisfy(s -> {
                    assertThat(s.fields()).containsEntry("pci", "0000:9b:00");
                    assertThat(s.severity()).isEqualTo(Severity.CRITICAL);
                });

        List<Signal> app = signals(scanner, samples.resolve("kernel_logs/dmesg_xid13_xid43_and_oom.log"));
        Map<String, Long> xids = app.stream().filter(s -> s.rule().equals("xid"))
                .collect(Collectors.groupingBy(s -> s.fields().get("xid"), Collectors.counting()));
        assertThat(xids).isEqualTo(Map.of("13", 16L, "43", 1L));
        assertThat(app).anySatisfy(s -> assertThat(s.rule()).isEqualTo("host-oom"));

        List<Signal> flaps = signals(scanner, samples.resolve("kernel_logs/azurehpc_ib6_link_flap_syslog.log"));
        assertThat(flaps).hasSize(6).allSatisfy(s -> assertThat(s.fields()).containsEntry("device", "ib6"));

        List<Signal> training = signals(scanner, samples.resolve("training_logs/superbench_megatron_deepspeed_gpt6.7b_2node_rocm.log"));
        assertThat(training).noneMatch(s -> s.rule().equals("nan-loss"));
        assertThat(training).anySatisfy(s -> assertThat(s.rule()).isEqualTo("job-killed"));
    }

    @Test
    void scansBytesAsTheLineMatcherDoesAcrossChunksAndLineEnds(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // A log longer than the scanner's 1 MiB chunk, with fault lines everywhere, CRLF endings, and no final newline.
        StringBuilder log = new StringBuilder();
        java.util.List<String> lines = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        String[] faults = {"NVRM: Xid (PCI:0000:3b:00): 79, pid=2311, name=python, GPU has fallen off the bus.",
                "[rank3]:[E ProcessGroupNCCL.cpp:607] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=9, "
                        + "OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600123 milliseconds",
                " iteration 12/ 100 | lm loss: nan |", "ib0: lost carrier", "pcieport 0000:00:01.0: PCIe Bus Error: severity=Corrected"};
        while (log.length() < 3 * 1024 * 1024) {
            String line = random.nextInt(50) == 0 ? faults[random.nextInt(faults.length)]
                    : " iteration " + random.nextInt(9999) + "/ 100 | lm loss: 2.5 | number of nan iterations: 0 |";
            lines.add(line);
            log.append(line).append(random.nextBoolean() ? "\r\n" : "\n");
        }
        log.append(faults[0]);
        lines.add(faults[0]);
        Path file = java.nio.file.Files.writeString(dir.resolve("big.log"), log, java.nio.charset.StandardCharsets.ISO_8859_1);

        java.util.List<LineSignal> expected = new java.util.ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            int number = n + 1;
            matcher.match(lines.get(n)).ifPresent(s -> expected.add(new LineSignal(number, s)));
        }
        java.util.List<LineSignal> scanned = new LogScanner(matcher).scan(file);
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(scanned).isEqualTo(expected);
        assertThat(scanned.getLast().line()).isEqualTo(lines.size());

        // Against the plain way, with no literal prefilter and no automaton: every rule's
        // expression on every line, the earliest match winning (the first rule on a tie).
        assertThat(scanned).extracting(LogMatcherTest::described).isEqualTo(plainWay(lines));
    }

    @Test
    void aUserRuleWithoutLiteralsIsTriedOnEveryLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path rules = java.nio.file.Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - id: slow-step
                    category: performance
                    severity: warning
                    pattern: 'elapsed time per iteration \\(ms\\): (?<ms>[0-9]{5,}\\.[0-9])'
                    meaning: a step took over ten seconds
                """);
        LogMatcher mine = new LogMatcher(RuleCatalog.builtIn().with(rules));
        Path file = java.nio.file.Files.writeString(dir.resolve("train.log"),
                " iteration 1/ 9 | elapsed time per iteration (ms): 812.4 |\n iteration 2/ 9 | elapsed time per iteration (ms): 76015.3 |\n");
        assertThat(new LogScanner(mine).scan(file)).singleElement().satisfies(s -> {
            assertThat(s.signal().rule()).isEqualTo("slow-step");
            assertThat(s.signal().fields()).containsEntry("ms", "76015.3");
            assertThat(s.line()).isEqualTo(2);
        });
    }

    @Test
    void aRuleThatStartsAtItsLiteralIsTriedAtEachOneWithTheTextBeforeItInView(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - id: retries
                    pattern: '\\bretries=(?<count>\\d+)'
                    literals: ["retries="]
                    starts-at-literal: true
                """);
        LogMatcher mine = new LogMatcher(RuleCatalog.builtIn().with(rules));
        // The first "retries=" is inside a word: \b must see the 'x' before it, and the next one be tried.
        assertThat(mine.match("maxretries=5 retries=2")).hasValueSatisfying(s -> {
            assertThat(s.rule()).isEqualTo("retries");
            assertThat(s.fields()).containsEntry("count", "2");
        });
        assertThat(mine.match("maxretries=5")).isEmpty();
    }

    @Test
    void aRuleCannotStartAtLiteralsItDoesNotHave(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), """
                rules:
                  - id: retries
                    pattern: 'retries=(?<count>\\d+)'
                    starts-at-literal: true
                """);
        assertThatThrownBy(() -> RuleCatalog.builtIn().with(rules))
                .hasMessageContaining("starts-at-literal").hasMessageContaining("literals");
    }

    @Test
    void findsWhatEveryRulesExpressionFindsOnTheRealLogs() throws Exception {
        Path samples = SharedSamples.root();
        List<Path> logs;
        try (var files = java.util.stream.Stream.concat(Files.list(samples.resolve("kernel_logs")),
                Files.list(samples.resolve("training_logs")))) {
            logs = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
        assertThat(logs).isNotEmpty();
        LogScanner scanner = new LogScanner(matcher);
        for (Path log : logs) {
            // Lines end at \n only, as the scanner reads them (a \r before it is dropped below).
            List<String> lines = new java.util.ArrayList<>(List.of(new String(Files.readAllBytes(log),
                    java.nio.charset.StandardCharsets.ISO_8859_1).split("\n", -1)));
            if (lines.getLast().isEmpty()) {
                lines.removeLast();
            }
            assertThat(scanner.scan(log)).as(log.toString())
                    .extracting(LogMatcherTest::described).isEqualTo(plainWay(lines));
        }
    }

    /** Lines as the kernel, PyTorch, Slurm and the storage clients write them, and what each must be read as. */
    @Test
    void readsTheFailuresATrainingClusterLogsInTheirRealFormats() {
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put(" iteration     1200/  500000 | consumed samples: 1228800 | lm loss: NAN | loss scale: 1.0 |", "nan-loss error");
        expected.put("[rank0]: Loss is inf at step 1200, skipping", "nan-loss error");
        expected.put("RuntimeError: NCCL communicator was aborted on rank 3. Original reason for failure was: NCCL error: "
                + "unhandled system error", "nccl-error error");
        expected.put("torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ", "torch-elastic-child-failed error");
        expected.put("pcieport 0000:00:03.1: AER: Uncorrected (Fatal) error received: 0000:03:00.0", "pcie-aer-fatal critical");
        expected.put("pcieport 0000:00:01.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, (Receiver ID)",
                "pcie-aer-fatal critical");
        expected.put("pcieport 0000:00:01.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)",
                "pcie-aer warning");
        expected.put("mlx5_core 0000:5e:00.1 enp94s0f1: Link down", "ib-link-down warning");
        expected.put("EDAC MC1: 1 UE memory read error on CPU_SrcID#0_MC#1_Chan#0_DIMM#0 (channel:0 slot:0 page:0x12345)",
                "host-memory-uncorrected critical");
        expected.put("EDAC MC0: 1 CE memory read error on CPU_SrcID#0_MC#0_Chan#1_DIMM#0 (channel:1 slot:0 page:0x5a21)",
                "host-memory-corrected warning");
        expected.put("mce: [Hardware Error]: Machine check events logged", "machine-check error");
        expected.put("{1}[Hardware Error]: event severity: fatal", "machine-check error");
        expected.put("nfs: server nfs01 not responding, still trying", "nfs-not-responding error");
        expected.put("LNetError: 12345:0:(o2iblnd_cb.c:3335:kiblnd_check_txs_locked()) Timed out tx: tx_queue, 5 seconds",
                "lnet-timeout error");
        expected.put("nvme nvme0: I/O 123 QID 4 timeout, aborting", "nvme-timeout error");
        expected.put("EXT4-fs (nvme0n1p1): Remounting filesystem read-only", "fs-read-only critical");
        expected.put("watchdog: BUG: soft lockup - CPU#12 stuck for 23s! [python:44321]", "soft-lockup error");
        expected.put("INFO: task python:44321 blocked for more than 120 seconds.", "hung-task error");
        expected.put("nvidia-nvswitch3: SXid (PCI:0000:c5:00.0): 12028, Non-fatal, Link 32 egress non-posted PRIV error",
                "nvswitch-sxid error");
        expected.put("nvidia-nvswitch0: SXid (PCI:0000:c5:00.0): 24007, Fatal, Link 44 sourcetrack timeout error",
                "nvswitch-sxid-fatal critical");
        expected.put("nv-fabricmanager[2843]: request to query NVSwitch device information from NVSwitch driver failed",
                "fabric-manager-failed critical");
        expected.put("OSError: [Errno 28] No space left on device: '/checkpoints/iter_0012000/mp_rank_00/model_optim_rng.pt'",
                "no-space-left error");
        expected.put("RuntimeError: DataLoader worker (pid 51234) is killed by signal: Killed. ", "dataloader-worker-died error");
        expected.put("slurmstepd: error: *** STEP 4242.0 ON gpu-a07 CANCELLED AT 2026-11-24T08:00:00 DUE TO TIME LIMIT ***",
                "slurm-cancelled error");
        expected.forEach((line, what) -> assertThat(only(line).rule() + " " + only(line).severity().name()
                .toLowerCase(java.util.Locale.ROOT)).as(line).isEqualTo(what));
        assertThat(only("slurmstepd: error: *** STEP 4242.0 ON gpu-a07 CANCELLED AT 2026-11-24T08:00:00 DUE TO TIME LIMIT ***")
                .fields()).containsEntry("reason", "TIME LIMIT").containsEntry("node", "gpu-a07");
        assertThat(only("NVRM: Xid (PCI:0000:38:00): 999, pid=1, name=x, something new").action())
                .contains("docs.nvidia.com/deploy/xid-errors");
    }

    @Test
    void joinsADriverMessageWrittenOverSeveralLines(@TempDir Path dir) throws Exception {
        // As dmesg shows the driver losing a GPU: one message in three NVRM lines, then an unrelated line.
        Path log = Files.writeString(dir.resolve("dmesg.log"), """
                [ 7551.181817] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024
                [ 7551.181820] NVRM: The NVIDIA GPU 0000:b3:00.0
                [ 7551.181820] NVRM: (PCI ID: 10de:2330) installed in this system has
                [ 7551.181821] NVRM: fallen off the bus and is not responding to commands.
                [ 7551.200000] systemd[1]: Started Session 4 of user root.
                [ 7552.000000] NVRM: The NVIDIA GPU 0000:c1:00.0
                [ 7552.000001] systemd[1]: Started Session 5 of user root.
                [ 7552.000002] NVRM: (PCI ID: 10de:2330) installed in this system has
                """);
        List<LineSignal> found = new LogScanner(matcher).scan(log);
        assertThat(found).extracting(LogMatcherTest::described).as("one signal, on the message's last line, naming the GPU;"
                + " lines of two messages with another between are not joined")
                .containsExactly("4 gpu-fallen-off-bus {pci=0000:b3:00.0}");
        assertThat(found.getFirst().signal().severity()).isEqualTo(Severity.CRITICAL);

        // Line by line, as pushed lines arrive: the same.
        LogMatcher.Stream stream = new LogMatcher.Stream();
        List<String> lines = Files.readAllLines(log);
        List<String> pushed = new java.util.ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            int number = n + 1;
            matcher.match(lines.get(n), number, stream).ifPresent(signal -> pushed.add(number + " " + signal.rule()));
        }
        assertThat(pushed).containsExactly("4 gpu-fallen-off-bus");
    }

    @Test
    void readsABareKilledAsAProcessEndedBySigkill() {
        assertThat(only("Killed").rule()).isEqualTo("process-killed");
        assertThat(only("/var/spool/slurmd/job4242/slurm_script: line 12: 51234 Killed                  python train.py")
                .fields()).containsEntry("pid", "51234");
        assertThat(only("Out of memory: Killed process 51234 (python) total-vm:812345678kB").rule()).isEqualTo("host-oom");
        assertThat(matcher.match("[rank0]: Killed 3 stale dataloader workers before the epoch")).isEmpty();
    }

    /** Healthy training, boot and service lines that merely contain words like error, nan, timeout or Xid. */
    @Test
    void findsNothingAboveInfoInHealthyLogs() {
        List<String> healthy = List.of(
                " iteration      100/  500000 | lm loss: 2.153E+00 | loss scale: 1.0 | number of nan iterations:   0 |",
                "[rank0]: step 1200 loss 2.1345 grad_norm 0.42 (no inf or nan in gradients)",
                "NCCL INFO NET/IB : Using [0]mlx5_0:1/IB [1]mlx5_1:1/IB ; OOB ib0:10.0.0.1<0>",
                "NCCL INFO comm 0x55d5c5a0 rank 3 nranks 16 cudaDev 3 busId 3b000 - Init COMPLETE",
                "torch.distributed: process group timeout is 1800 seconds",
                "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024",
                "nvidia-persistenced[1234]: Started (1234)",
                "EDAC MC0: Giving out device to module skx_edac controller Skylake Socket#0 IMC#0: DEV 0000:3a:0a.0 (INTERRUPT)",
                "mce: CPU0: Thermal monitoring enabled (TM1)",
                "nfs: server nfs01 OK",
                "pcieport 0000:00:01.0: AER: enabled with IRQ 122",
                "nv-fabricmanager[2843]: Successfully configured all the available NVSwitches to route GPU NVLink traffic.",
                "nvme nvme0: 32/0/0 default/read/poll queues",
                "EXT4-fs (nvme0n1p1): mounted filesystem with ordered data mode. Quota mode: none.",
                "systemd[1]: Started Session 4 of user root.",
                "[rank0]: saving checkpoint at iteration 12000 to /checkpoints: errors: 0",
                "mlx5_core 0000:5e:00.1 enp94s0f1: Link up");
        for (String line : healthy) {
            assertThat(matcher.match(line).filter(signal -> signal.severity() != Severity.INFO)).as(line).isEmpty();
        }
    }

    private static String described(LineSignal found) {
        return found.line() + " " + found.signal().rule() + " " + new java.util.TreeMap<>(found.signal().fields());
    }

    private static List<Signal> signals(LogScanner scanner, Path log) throws java.io.IOException {
        return scanner.scan(log).stream().map(LineSignal::signal).toList();
    }

    /** What the plain way finds in a log, line by line: "number rule {fields}" for each line with a signal. */
    private static List<String> plainWay(List<String> lines) {
        List<String> plain = new java.util.ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            int number = n + 1;
            everyRuleOn(RULES, lines.get(n)).map(found -> number + " " + found).ifPresent(plain::add);
        }
        return plain;
    }

    /** The rule and fields the plain way finds on one line: every rule's expression tried, the earliest match first. */
    private static java.util.Optional<String> everyRuleOn(List<DetectionRule> rules, String line) {
        String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        DetectionRule best = null;
        java.util.regex.Matcher bestMatch = null;
        for (DetectionRule rule : rules) {
            java.util.regex.Matcher m = PATTERNS.computeIfAbsent(rule.pattern(), java.util.regex.Pattern::compile)
                    .matcher(text);
            if (m.find() && (bestMatch == null || m.start() < bestMatch.start())) {
                best = rule;
                bestMatch = m;
            }
        }
        if (best == null) {
            return java.util.Optional.empty();
        }
        Map<String, String> fields = new java.util.TreeMap<>();
        for (String name : bestMatch.namedGroups().keySet()) {
            if (bestMatch.group(name) != null) {
                fields.put(name, bestMatch.group(name).strip());
            }
        }
        return java.util.Optional.of(best.id() + " " + fields);
    }
}
