package dev.pitwall.trainops.detect;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.pitwall.trainops.signal.Signal;

/**
 * A signal found in a log file, with the file's line it was found on.
 *
 * @param line 1-based line number in its file
 */
@JsonPropertyOrder({"line"})
public record LineSignal(int line, @JsonUnwrapped Signal signal) {
}
