package dev.pitwall.acceptance.parse;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One figure read from a tool's output, with what qualifies it: for an nccl-tests row, the
 * test, message size, in-place or not, and the row's other columns. Written to JSON as
 * {@code {"name","value","unit", ...labels}}.
 */
@JsonPropertyOrder({"name", "value", "unit"})
public record Measurement(String name, double value, String unit, Map<String, Object> labels) {

    public Measurement {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    @JsonAnyGetter
    public Map<String, Object> labels() {
        return labels;
    }

    /** The label {@code key}, or null. */
    public Object label(String key) {
        return labels.get(key);
    }
}
