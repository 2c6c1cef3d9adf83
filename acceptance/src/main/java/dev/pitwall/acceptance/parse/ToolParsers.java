package dev.pitwall.acceptance.parse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The tool output formats Pitwall reads, and the choice of one for a file. */
public final class ToolParsers {

    /** The tool of a file no parser recognises. */
    public static final String UNKNOWN = "unknown";

    private static final int HEAD_LINES = 400;
    /** Some tools print what names them only at the end (HPL-MxP's result block). */
    private static final int TAIL_LINES = 100;
    /** In the order they are tried: the first that recognises a file reads it. */
    static final List<ToolParser> PARSERS = List.of(new NcclTestsParser(), new FioJsonParser(), new FioTextParser(),
            new DcgmDiagJsonParser(), new DcgmDiagTextParser(), new PerftestParser(), new GpuBurnParser(), new NvidiaSmiXmlParser(),
            new NvidiaSmiTextParser(), new P2pBandwidthParser(), new HplMxpParser(), new HplParser(), new HostInfoParser());

    private ToolParsers() {
    }

    public static List<String> tools() {
        return PARSERS.stream().map(ToolParser::tool).distinct().toList();
    }

    /** Reads {@code file} with the parser that recognises it, or says that none does. */
    public static ToolOutput parse(Path file) throws IOException {
        // Tool outputs are not always clean UTF-8 (terminal control bytes, cut multi-byte
        // characters); ISO-8859-1 reads every byte and keeps ASCII as it is.
        return parse(file.toString(), Files.readAllLines(file, StandardCharsets.ISO_8859_1));
    }

    /** Reads the lines of the file {@code name} with the parser that recognises them, or says that none does. */
    public static ToolOutput parse(String name, List<String> lines) {
        String head = String.join("\n", lines.subList(0, Math.min(HEAD_LINES, lines.size())));
        if (lines.size() > HEAD_LINES) {
            head += "\n" + String.join("\n", lines.subList(Math.max(HEAD_LINES, lines.size() - TAIL_LINES), lines.size()));
        }
        for (ToolParser parser : PARSERS) {
            if (parser.recognizes(head)) {
                return parser.parse(name, lines);
            }
        }
        return new ToolOutput(name, UNKNOWN, null, List.of(), List.of(), List.of(new Problem(0, "",
                "not recognised as the output of a supported tool (" + String.join(", ", tools()) + ")")));
    }
}
