package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pitwall.acceptance.verdict.NodeFigures;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HPL output as its reference build prints it, and HPL's efficiency against the GPUs' peak. */
class HplParserTest {

    static final List<String> RUN = """
            ================================================================================
            HPLinpack 2.3  --  High-Performance Linpack benchmark  --   December 2, 2018
            ================================================================================
            T/V                N    NB     P     Q               Time                 Gflops
            --------------------------------------------------------------------------------
            WR01C2R4      126976  1024     2     4              23.91             5.706e+04
            HPL_pdgesv() start time Mon Nov 24 10:00:00 2026
            --------------------------------------------------------------------------------
            ||Ax-b||_oo/(eps*(||A||_oo*||x||_oo+||b||_oo)*N)=   2.19e-03 ...... PASSED
            WR01C2R4      126976  1024     2     4              24.10             5.661e+04
            ||Ax-b||_oo/(eps*(||A||_oo*||x||_oo+||b||_oo)*N)=   9.87e+02 ...... FAILED
            """.lines().toList();

    @Test
    void readsEachRunAndItsResidualCheck() {
        ToolOutput out = new HplParser().parse("hpl.log", RUN);
        List<Measurement> runs = out.measurements().stream().filter(m -> m.name().equals("hpl_gflops")).toList();
        assertThat(runs).extracting(Measurement::value).containsExactly(57060.0, 56610.0);
        assertThat(runs.getFirst().label("n")).isEqualTo(126976L);
        assertThat(runs.getFirst().label("p")).isEqualTo(2);
        assertThat(out.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(11);
            assertThat(w.reason()).contains("wrong answers");
        });
        assertThat(new HplParser().parse("hpl.log", RUN.subList(0, 5)).problems())
                .singleElement().satisfies(p -> assertThat(p.reason()).contains("did not finish"));
    }

    @Test
    void comparesTheBestRunWithTheGpusFp64Peak() {
        ToolOutput hpl = new HplParser().parse("hpl.log", RUN);
        ToolOutput smi = new ToolOutput("smi.xml", "nvidia-smi", null, List.of(new Measurement("gpu", 1, "gpu",
                java.util.Map.of("product_name", "NVIDIA H100 80GB HBM3"))), List.of(), List.of());
        var figures = NodeFigures.of(List.of(hpl, smi));
        assertThat(figures.get("hpl.gflops").value()).isEqualTo(57060.0);
        // 57.06 TFLOPS over 8 GPUs of 67 TFLOPS FP64 tensor peak.
        assertThat(figures.get("hpl.efficiency").value()).isCloseTo(57.06 / (8 * 67), within(1e-9));
    }
}
