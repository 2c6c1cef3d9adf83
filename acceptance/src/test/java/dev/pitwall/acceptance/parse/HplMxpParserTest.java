package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.acceptance.verdict.NodeFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HPL-MxP in NVIDIA's result-block layout and rocHPL-MxP's table, and its efficiency against the GPUs' peak. */
class HplMxpParserTest {

    /** Written in the layout of NVIDIA's HPL-MxP build: a passing FP8 run, then a run cut off inside its block. */
    static final List<String> NVIDIA = """
             ****** HPL MxP Result    ******

               EPS           . . . . . . . . . . . . . . . . .          =    2.000000E-16
               Threshold     . . . . . . . . . . . . . . . . .          =    1.600000E+01
             ||Ax-b||_oo     . . . . . . . . . . . . . . . . .          =    6.120044E-14
             ||Ax-b||_oo / (EPS * (||A||_oo * ||x||_oo + ||b||_oo) * N) =    3.214508E-04 ...... PASSED

               N = 344064, NB = 2048, NPROW = 2, NPCOL = 4, SLOPPY-TYPE = 1
                  GFLOPS = 1.2288e+06, per GPU =  153600.00 ------ The HPL-MxP performance to report
               LU GFLOPS = 3.9936e+06, per GPU =  499200.00 ------ The performance excluding the iterative solver part

            ****** HPL MxP Result    ******
             ****** HPL MxP Result    ******

               EPS           . . . . . . . . . . . . . . . . .          =    2.000000E-16
            """.lines().toList();

    /** Written in rocHPL-MxP's layout: HPL's banner and table, a failed residual on the second run. */
    static final List<String> ROCM = """
            ================================================================================
            HPLinpack 2.2  --  High-Performance Linpack benchmark  --   February 24, 2016
            ================================================================================
            T/V                N    NB     P     Q               Time                 Gflops
            --------------------------------------------------------------------------------
            WC0           358400  2560     4     2              31.40          9.757e+05
            HPLMXP_pdgesv() start time Tue Nov 24 10:00:00 2026
            --------------------------------------------------------------------------------
            ||Ax-b||_oo/(eps*(||A||_oo*||x||_oo+||b||_oo)*N)=        0.0004127 ...... PASSED
            WC0           358400  2560     4     2              31.22          9.813e+05
            --------------------------------------------------------------------------------
            ||Ax-b||_oo/(eps*(||A||_oo*||x||_oo+||b||_oo)*N)=       38.1200000 ...... FAILED
            """.lines().toList();

    @Test
    void readsNvidiasResultBlockAndNamesACutOffOne() {
        ToolOutput out = new HplMxpParser().parse("hpl-mxp.log", NVIDIA);
        Measurement reported = only(out, "hpl_mxp_gflops");
        assertThat(reported.value()).isEqualTo(1.2288e6);
        assertThat(reported.labels()).containsEntry("n", 344064L).containsEntry("nb", 2048).containsEntry("p", 2)
                .containsEntry("q", 4).containsEntry("precision", "fp8").containsEntry("per_gpu_gflops", 153600.0);
        assertThat(only(out, "hpl_mxp_lu_gflops").value()).isEqualTo(3.9936e6);
        assertThat(only(out, "hpl_mxp_residual_ok").value()).isEqualTo(1);
        assertThat(out.warnings()).isEmpty();
        assertThat(out.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(13);
            assertThat(p.reason()).contains("cut off");
        });
    }

    @Test
    void readsRocmsTableAndFailsAWrongAnswer() {
        ToolOutput out = new HplMxpParser().parse("HPL-MxP.out", ROCM);
        assertThat(out.measurements().stream().filter(m -> m.name().equals("hpl_mxp_gflops")))
                .extracting(Measurement::value).containsExactly(9.757e5, 9.813e5);
        assertThat(out.problems()).isEmpty();
        assertThat(out.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(12);
            assertThat(w.reason()).contains("wrong answers");
        });
    }

    @Test
    void aRunThatNeverReachedItsResultIsAProblem() {
        ToolOutput out = new HplMxpParser().parse("hpl-mxp.log", List.of("HPL-MxP-NVIDIA 25.09.0 starting", "Step 1 of 168"));
        assertThat(out.measurements()).isEmpty();
        assertThat(out.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("did not finish"));
    }

    @Test
    void isRecognisedByItsResultBlockAtTheEndOfALongOutputAndBeforePlainHpl(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int step = 1; step <= 600; step++) {
            lines.add("Step " + step + " of 600, panel factorization done");
        }
        lines.addAll(NVIDIA.subList(0, 11));
        Path nvidia = Files.write(dir.resolve("long.log"), lines);
        assertThat(ToolParsers.parse(nvidia).tool()).isEqualTo(HplMxpParser.TOOL);
        Path rocm = Files.write(dir.resolve("HPL-MxP.out"), ROCM);
        assertThat(ToolParsers.parse(rocm).tool()).isEqualTo(HplMxpParser.TOOL);
    }

    @Test
    void comparesTheBestRunWithThePeakOfItsFactorizationsPrecision() {
        ToolOutput mxp = new HplMxpParser().parse("hpl-mxp.log", NVIDIA);
        ToolOutput smi = new ToolOutput("smi.xml", "nvidia-smi", null, List.of(new Measurement("gpu", 1, "gpu",
                Map.of("product_name", "NVIDIA H100 80GB HBM3"))), List.of(), List.of());
        var figures = NodeFigures.of(List.of(mxp, smi));
        assertThat(figures.get("hpl-mxp.gflops").value()).isEqualTo(1.2288e6);
        // 1,228.8 TFLOPS over 8 GPUs of 1,978.9 TFLOPS dense FP8 peak.
        assertThat(figures.get("hpl-mxp.efficiency").value()).isCloseTo(1228.8 / (8 * 1978.9), within(1e-9));

        // rocHPL-MxP does not print its precision: FP16's peak (989.4) is the yardstick.
        var rocm = NodeFigures.of(List.of(new HplMxpParser().parse("HPL-MxP.out", ROCM), smi));
        assertThat(rocm.get("hpl-mxp.efficiency").value()).isCloseTo(981.3 / (8 * 989.4), within(1e-9));
    }

    private static Measurement only(ToolOutput out, String name) {
        return out.measurements().stream().filter(m -> m.name().equals(name)).reduce((a, b) -> {
            throw new AssertionError("more than one " + name);
        }).orElseThrow(() -> new AssertionError("no " + name));
    }
}
