package dev.pitwall.acceptance.parse;

/**
 * What a parser could not read, and where: a garbled row, a test that started and never
 * reported, a value that is not a number. Parsers report these instead of guessing.
 *
 * @param line   1-based line number in the file, or 0 for the file as a whole
 * @param text   the line as read (trimmed, shortened), or empty
 * @param reason what is wrong, for a person
 */
public record Problem(int line, String text, String reason) {
}
