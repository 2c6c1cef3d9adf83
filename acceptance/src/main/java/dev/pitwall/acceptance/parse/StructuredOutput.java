package dev.pitwall.acceptance.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;

/** Tools that write JSON or XML: their output read into a tree, or a problem saying where it broke. */
final class StructuredOutput {

    private StructuredOutput() {
    }

    /**
     * @param firstLine the file's line number where {@code text} begins (tools may print lines before it)
     * @param what      the format, as people call it ("fio's JSON")
     */
    static Optional<JsonNode> read(ObjectMapper mapper, String text, int firstLine, String what, List<Problem> problems) {
        try {
            return Optional.ofNullable(mapper.readTree(text));
        } catch (JsonProcessingException e) {
            // Where, not the parser's own words: the line (the problem's) and column say it to a person.
            int line = e.getLocation() == null ? 0 : firstLine - 1 + e.getLocation().getLineNr();
            String column = e.getLocation() == null || e.getLocation().getColumnNr() < 1 ? ""
                    : " at column " + e.getLocation().getColumnNr();
            problems.add(new Problem(line, "", what + " cannot be read" + column + "; the output may be cut short"));
            return Optional.empty();
        }
    }
}
