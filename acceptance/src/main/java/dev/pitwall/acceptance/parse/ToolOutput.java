package dev.pitwall.acceptance.parse;

import java.util.List;

/**
 * What a parser read from one file of a benchmark or health-check tool.
 *
 * @param file         the file's name as given
 * @param tool         which tool wrote it ({@code nccl-tests}, …)
 * @param host         the one host it ran on, or null when several or unknown
 * @param measurements the figures read
 * @param warnings     lines the tool flagged itself (NCCL WARN, test failures), with their line numbers
 * @param problems     what could not be read
 */
public record ToolOutput(String file, String tool, String host, List<Measurement> measurements,
                         List<Problem> warnings, List<Problem> problems) {
}
