package dev.pitwall.planner.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.pitwall.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationScanTest {

    @TempDir
    Path repo;

    private void write(String path, String text) throws IOException {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void findsEachKindOfRiskWithFileLineAndReason() throws IOException {
        write("train.py", """
                import os
                import torch
                from apex.optimizers import FusedAdam
                from flash_attn import flash_attn_func
                torch.cuda.set_device(0)
                if torch.cuda.get_device_capability()[0] >= 9:
                    use_fp8 = True
                """);
        write("kernels/fused_norm.cu", "__global__ void fused_norm(float* x) {}\n");
        write("setup.py", """
                from setuptools import setup
                from torch.utils.cpp_extension import BuildExtension, CUDAExtension
                setup(name="fused", ext_modules=[CUDAExtension("fused", ["kernels/fused_norm.cu"])])
                """);
        write("ops/softmax.py", "import triton\n@triton.jit\ndef softmax_kernel(x_ptr):\n    pass\n");
        write("requirements.txt", """
                --extra-index-url https://pypi.internal.example/simple
                torch==2.1.0+cu118
                deepspeed==0.12.3
                numpy
                """);
        write("launch.sh", "export NCCL_IB_HCA=mlx5_0,mlx5_1\ntorchrun --nproc-per-node 8 train.py\n");
        write(".venv/lib/site-packages/apex/__init__.py", "import apex\n"); // not the repository's code
        write("data/big.bin", "x");

        MigrationScan.Result r = MigrationScan.builtIn().scan(repo);
        assertThat(r.verdict()).isEqualTo("major risk");
        assertThat(r.findings()).extracting(MigrationScan.Finding::file, MigrationScan.Finding::line, MigrationScan.Finding::rule)
                .contains(
                        tuple("train.py", 3, "apex"),
                        tuple("train.py", 4, "flash-attn"),
                        tuple("train.py", 5, "hardcoded-device"),
                        tuple("train.py", 6, "device-capability-check"),
                        tuple("kernels/fused_norm.cu", 1, "cuda-source"),
                        tuple("setup.py", 2, "cpp-extension-build"),
                        tuple("ops/softmax.py", 2, "triton-kernel"),
                        tuple("requirements.txt", 1, "private-index"),
                        tuple("requirements.txt", 2, "cuda-pinned-torch"),
                        tuple("requirements.txt", 3, "pinned-gpu-stack"),
                        tuple("launch.sh", 1, "nccl-network-settings"));
        assertThat(r.findings()).noneMatch(f -> f.file().startsWith(".venv"));
        assertThat(r.findings()).filteredOn(f -> f.rule().equals("apex")).singleElement()
                .satisfies(f -> {
                    assertThat(f.severity()).isEqualTo("major");
                    assertThat(f.text()).isEqualTo("from apex.optimizers import FusedAdam");
                    assertThat(f.fix()).contains("torch.amp");
                });
        assertThat(r.byCategory()).containsKeys("custom kernels", "vendor library", "device assumption", "pinned version",
                "private source");
    }

    @Test
    void aPlainRepositoryRunsDirectlyAndMinorFindingsNeedAdaptation() throws IOException {
        write("train.py", "import torch\nmodel = torch.nn.Linear(4, 4).to(device)\n");
        write("requirements.txt", "torch>=2.1\nnumpy\n");
        assertThat(MigrationScan.builtIn().scan(repo).verdict()).isEqualTo("runs directly");
        write("ops/k.py", "@triton.autotune(configs=[])\n");
        MigrationScan.Result minor = MigrationScan.builtIn().scan(repo);
        assertThat(minor.verdict()).isEqualTo("needs minor adaptation");
        assertThat(minor.filesScanned()).isEqualTo(3);
    }

    @Test
    void takesUserRulesAndRefusesBadOnes() throws IOException {
        write("train.py", "from our_vendor_lib import fast_op\n");
        Path rules = Files.writeString(repo.resolve("rules.yaml"), """
                rules:
                  - id: our-vendor-lib
                    category: vendor library
                    files: "*.py"
                    pattern: "our_vendor_lib"
                    severity: major
                    reason: "built for our old cluster only"
                    fix: "use the upstream op"
                """);
        assertThat(MigrationScan.with(rules).scan(repo.resolve("train.py")).findings())
                .extracting(MigrationScan.Finding::file, MigrationScan.Finding::rule)
                .containsExactly(tuple("train.py", "our-vendor-lib"));
        Files.writeString(rules, "rules:\n  - id: x\n    files: \"*.py\"\n    severity: fatal\n");
        assertThatThrownBy(() -> MigrationScan.with(rules)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rules[0].severity").hasMessageContaining("minor or major");
        assertThatThrownBy(() -> MigrationScan.builtIn().scan(repo.resolve("missing"))).hasMessageContaining("no such file");
    }

    @Test
    void catchesHardCodedDevicesHoweverTheyAreSet() throws IOException {
        write("train.py", """
                import os
                os.environ["CUDA_VISIBLE_DEVICES"] = "0,1"
                os.environ['CUDA_VISIBLE_DEVICES']='3'
                torch.cuda.set_device(local_rank)
                torch.cuda.set_device(0)
                visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
                """);
        write("run.sh", "export CUDA_VISIBLE_DEVICES=0,1,2,3\nCUDA_VISIBLE_DEVICES=$SLURM_LOCALID python train.py\n");
        assertThat(MigrationScan.builtIn().scan(repo).findings()).filteredOn(f -> f.rule().equals("hardcoded-device"))
                .extracting(MigrationScan.Finding::file, MigrationScan.Finding::line)
                .containsExactly(tuple("run.sh", 1), tuple("train.py", 2), tuple("train.py", 3), tuple("train.py", 5));
    }

    @Test
    void leavesRuleFilesOutAndSaysSo() throws IOException {
        // Pitwall's own rules (and a user's) hold the very words they look for.
        try (var in = MigrationScan.class.getResourceAsStream("/planner/scan-rules.yaml")) {
            Files.write(Files.createDirectories(repo.resolve("ops")).resolve("scan-rules.yaml"), in.readAllBytes());
        }
        write("deploy/values.yaml", "image: nvcr.io/nvidia/pytorch:24.05-py3\nnccl:\n  NCCL_IB_HCA: mlx5\n");
        MigrationScan.Result result = MigrationScan.builtIn().scan(repo);
        assertThat(result.findings()).extracting(MigrationScan.Finding::file).containsOnly("deploy/values.yaml");
        assertThat(result.skipped()).singleElement().asString().startsWith("ops/scan-rules.yaml: a file of detection or scan rules");
    }
}
