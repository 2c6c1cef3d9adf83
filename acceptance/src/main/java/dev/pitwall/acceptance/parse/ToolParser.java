package dev.pitwall.acceptance.parse;

import java.util.List;

/** Reads one tool's output format; {@link ToolParsers} picks the parser for a file. */
public interface ToolParser {

    /** The tool's name in {@link ToolOutput#tool()}. */
    String tool();

    /**
     * True when {@code head} (the file's first lines and, for a long file, its last ones too)
     * looks like this tool's output.
     */
    boolean recognizes(String head);

    /**
     * Reads every figure it can; what it cannot read goes to {@link ToolOutput#problems()} with
     * its line, never silently skipped or guessed.
     */
    ToolOutput parse(String file, List<String> lines);
}
