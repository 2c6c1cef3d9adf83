package dev.pitwall.acceptance.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever a file holds (noise, a well-formed output cut anywhere, a garbled one), every reader
 * answers with what it could read and what it could not, and never throws: one bad file must not
 * stop a results folder's evaluation.
 */
class ParsersNeverThrowTest {

    /** Words of the formats read, so that generated lines reach past the first checks. */
    private static final List<String> VOCABULARY = List.of("#", "size", "count", "type", "redop", "root", "time", "algbw",
            "busbw", "#wrong", "1048576", "8", "float", "sum", "-1", "12.5", "3.2e+03", "N/A", "Avg", "bus", "bandwidth", ":",
            "Gflop/s", "proc'd:", "(", ")", "errors:", "temps:", "C", "-", "GPU", "0:", "OK", "FAULTY", "Tested", "PASSED",
            "FAILED", "WR11C2R4", "WC0", "||Ax-b||_oo", "=", "......", "GFLOPS", "LU", "per", "N", "NB", "NPROW", "NPCOL",
            "SLOPPY-TYPE", "******", "HPL", "MxP", "Result", "<gpu", "id=\"00000000:01:00.0\">", "</gpu>",
            "<product_name>", "</product_name>", "{", "}", "[", "]", "\"jobs\"", "\"read\"", "\"iops\"", ",", "#bytes",
            "#iterations", "BW", "average[MB/sec]", "RDMA_Write", "|", "Pass", "Fail", "Driver", "Version", "IOPS=",
            "read:", "bw=", "Device", "mlx5_0", "fw_ver:", "hca_id:", "Linux", "MLNX_OFED_LINUX-5.8", "Bidirectional",
            "P2P=Enabled", "D\\D", "Retired", "Pages", "99999999999999999999999", "1e999", ".", "e", "\t");

    /** What a garbled byte becomes: characters the formats give meaning to. */
    private static final String GARBLE = "0.9-e:|{\"<\n x";

    @Property(tries = 300)
    void noReaderThrowsOnLinesOfNoise(@ForAll("noise") List<String> lines) {
        readByEveryParser(lines);
    }

    @Property(tries = 300)
    void noReaderThrowsOnAWellFormedOutputCutAndGarbled(@ForAll("wellFormed") String output,
            @ForAll @IntRange(max = 1000) int keptPerMille, @ForAll @IntRange(max = 8) int garbled, @ForAll long seed) {
        StringBuilder text = new StringBuilder(output.substring(0, output.length() * keptPerMille / 1000));
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < garbled && !text.isEmpty(); i++) {
            text.setCharAt(random.nextInt(text.length()), GARBLE.charAt(random.nextInt(GARBLE.length())));
        }
        readByEveryParser(text.toString().lines().toList());
    }

    private static void readByEveryParser(List<String> lines) {
        for (ToolParser parser : ToolParsers.PARSERS) {
            ToolOutput out = parser.parse("generated.log", lines);
            assertThat(out.tool()).isEqualTo(parser.tool());
            assertThat(out.problems()).allSatisfy(p -> {
                assertThat(p.line()).isBetween(0, lines.size());
                assertThat(p.reason()).isNotBlank();
            });
            assertThat(out.measurements()).allSatisfy(m -> assertThat(m.name()).isNotBlank());
        }
    }

    @Provide
    Arbitrary<List<String>> noise() {
        Arbitrary<String> words = Arbitraries.of(VOCABULARY).list().ofMaxSize(14).map(w -> String.join(" ", w));
        Arbitrary<String> anything = Arbitraries.strings().ofMaxLength(120);
        return Arbitraries.frequencyOf(Tuple.of(4, words), Tuple.of(1, anything)).list().ofMaxSize(40);
    }

    /** The readers' own fixtures and, where the folder is present, the real samples beside the repository. */
    @Provide
    Arbitrary<String> wellFormed() {
        List<String> outputs = new ArrayList<>(List.of(NcclTestsParserTest.TWO_TESTS, FioJsonParserTest.RUN,
                FioTextParserTest.RUN, DcgmDiagJsonParserTest.RUN, DcgmDiagTextParserTest.RUN,
                NvidiaSmiXmlParserTest.INVENTORY, String.join("\n", HplParserTest.RUN),
                String.join("\n", HplMxpParserTest.NVIDIA), String.join("\n", HplMxpParserTest.ROCM),
                HostInfoParserTest.hostInfo("node-01", "5.15.0-105-generic", "28.39.1002")));
        for (Path sample : Samples.allText()) {
            try {
                outputs.add(Files.readString(sample, StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Arbitraries.of(outputs);
    }
}
