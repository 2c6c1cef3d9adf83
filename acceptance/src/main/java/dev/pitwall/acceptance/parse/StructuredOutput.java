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
            int line = e.getLocation() == null ? 0 : firstLine - 1 + e.getLocation().getLineNr();
            problems.add(new Problem(line, "", what + " cannot be read here (" + e.getOriginalMessage()
                    + "); the output may be cut short"));
            return Optional.empty();
        }
    }
}
