package dev.pitwall.planner.compat;

import dev.pitwall.core.catalog.GpuSpec;
import dev.pitwall.core.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a software stack runs on a GPU: the precision against the GPU's compute capability,
 * the NVIDIA driver against the CUDA toolkit's minimum, and the PyTorch release against the CUDA
 * versions it is built for. Each row of the verdict table says what was found, what is needed
 * and how to fix it. The tables are data ({@code planner/compatibility.yaml}), with sources.
 */
public final class CompatibilityCheck {

    /** One line of the verdict table. */
    public record Row(String check, boolean ok, String found, String needed, String fix) {
    }

    record CudaDriver(String cuda, String driver) {
    }

    record TorchCuda(String torch, List<String> cuda) {
    }

    record PrecisionCapability(String precision, String capability) {
    }

    record NcclPrecision(String precision, String nccl) {
    }

    record Tables(List<CudaDriver> cudaDrivers, List<TorchCuda> torchCuda, List<PrecisionCapability> precisionMinCapability,
                  List<NcclPrecision> ncclMinPrecision) {
        Tables {
            ncclMinPrecision = ncclMinPrecision == null ? List.of() : List.copyOf(ncclMinPrecision);
            cudaDrivers = cudaDrivers == null ? List.of() : List.copyOf(cudaDrivers);
            torchCuda = torchCuda == null ? List.of() : List.copyOf(torchCuda);
            precisionMinCapability = precisionMinCapability == null ? List.of() : List.copyOf(precisionMinCapability);
        }
    }

    private final Tables tables;

    private CompatibilityCheck(Tables tables) {
        this.tables = tables;
    }

    public static CompatibilityCheck builtIn() {
        try (InputStream in = CompatibilityCheck.class.getResourceAsStream("/planner/compatibility.yaml")) {
            return new CompatibilityCheck(new ConfigLoader<>(Tables.class, new Tables(null, null, null, null))
                    .load("planner/compatibility.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param precision bf16, fp16, fp8 or fp32, or empty
     * @param driver    the NVIDIA driver version ("535.104.05"), or empty
     * @param cuda      the CUDA toolkit version ("12.2"), or empty
     * @param torch     the PyTorch version ("2.3.1"), or empty
     * @param nccl      the NCCL version ("2.18.1"), or empty
     */
    public List<Row> check(GpuSpec gpu, Optional<String> precision, Optional<String> driver, Optional<String> cuda,
                           Optional<String> torch, Optional<String> nccl) {
        List<Row> rows = new ArrayList<>();
        if (gpu.computeCapability() == null) {
            // Not a CUDA device: the precisions it has are those its datasheet gives figures for.
            precision.ifPresent(p -> rows.add(new Row("precision " + p, gpu.peakTflops(p).isPresent(),
                    gpu.name() + " (not a CUDA GPU) " + (gpu.peakTflops(p).isPresent() ? "has " : "has no ") + p,
                    p + " in its datasheet", gpu.peakTflops(p).isPresent() ? "" : "train in one of "
                    + String.join(", ", new java.util.TreeSet<>(gpu.tflops().keySet())))));
            return rows;
        }
        precision.ifPresent(p -> tables.precisionMinCapability().stream().filter(x -> x.precision().equalsIgnoreCase(p))
                .findFirst().ifPresentOrElse(min -> {
                    boolean ok = compare(gpu.computeCapability(), min.capability()) >= 0;
                    rows.add(new Row("precision " + p, ok, gpu.name() + " is sm_" + gpu.computeCapability().replace(".", ""),
                            "sm_" + min.capability().replace(".", "") + " or newer",
                            ok ? "" : "train in " + (compare(gpu.computeCapability(), "8.0") >= 0 ? "bf16" : "fp16")
                                    + " on this GPU, or move to a GPU of compute capability " + min.capability() + "+"));
                }, () -> rows.add(new Row("precision " + p, false, p, "one of fp32, fp16, bf16, fp8", "name a known precision"))));
        cuda.ifPresent(c -> driver.ifPresent(d -> tables.cudaDrivers().stream().filter(x -> x.cuda().equals(minor(c)))
                .findFirst().ifPresentOrElse(min -> {
                    boolean ok = compare(d, min.driver()) >= 0;
                    rows.add(new Row("driver for CUDA " + minor(c), ok, "driver " + d, "driver " + min.driver() + " or newer",
                            ok ? "" : "upgrade the driver to " + min.driver() + "+, or use a CUDA toolkit this driver supports ("
                                    + supportedCuda(d) + ")"));
                }, () -> rows.add(new Row("driver for CUDA " + c, false, "CUDA " + c, "a CUDA version in the table",
                        "add CUDA " + c + " to planner/compatibility.yaml or pick a listed version")))));
        torch.ifPresent(t -> cuda.ifPresent(c -> tables.torchCuda().stream().filter(x -> x.torch().equals(minor(t)))
                .findFirst().ifPresentOrElse(builds -> {
                    boolean ok = builds.cuda().contains(minor(c));
                    rows.add(new Row("PyTorch " + minor(t) + " build for CUDA " + minor(c), ok, "CUDA " + minor(c),
                            "one of CUDA " + String.join(", ", builds.cuda()),
                            ok ? "" : "install the cu" + builds.cuda().getLast().replace(".", "") + " wheel of PyTorch "
                                    + minor(t) + " (with a driver for CUDA " + builds.cuda().getLast() + ")"));
                }, () -> rows.add(new Row("PyTorch " + t, false, "PyTorch " + t, "a PyTorch release in the table",
                        "add PyTorch " + minor(t) + " to planner/compatibility.yaml or pick a listed release")))));
        nccl.ifPresent(n -> precision.ifPresent(p -> tables.ncclMinPrecision().stream()
                .filter(x -> x.precision().equalsIgnoreCase(p)).findFirst().ifPresent(min -> {
                    boolean ok = compare(n, min.nccl()) >= 0;
                    rows.add(new Row("NCCL for " + p + " gradients", ok, "NCCL " + n, "NCCL " + min.nccl() + " or newer",
                            ok ? "" : "upgrade NCCL to " + min.nccl() + "+ (or the PyTorch wheel that bundles it), or reduce "
                                    + "gradients in fp32"));
                })));
        return rows;
    }

    /** The CUDA versions a driver can run, from the table. */
    private String supportedCuda(String driver) {
        List<String> ok = tables.cudaDrivers().stream().filter(x -> compare(driver, x.driver()) >= 0).map(CudaDriver::cuda).toList();
        return ok.isEmpty() ? "none in the table" : "CUDA " + String.join(", ", ok);
    }

    /** "2.3.1" → "2.3"; "12.2.140" → "12.2". */
    static String minor(String version) {
        String[] parts = version.strip().split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : parts[0];
    }

    /** Compares dotted versions numerically, part by part ("535.104.05" > "535.54.03"). */
    static int compare(String a, String b) {
        int[] x = Arrays.stream(a.strip().split("\\.")).mapToInt(CompatibilityCheck::number).toArray();
        int[] y = Arrays.stream(b.strip().split("\\.")).mapToInt(CompatibilityCheck::number).toArray();
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? x[i] : 0, i < y.length ? y[i] : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int number(String part) {
        String digits = part.replaceAll("\\D.*", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }
}
