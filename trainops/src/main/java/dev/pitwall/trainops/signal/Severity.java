package dev.pitwall.trainops.signal;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How bad a signal is; later constants are worse. */
public enum Severity {
    @JsonProperty("info") INFO,
    @JsonProperty("warning") WARNING,
    @JsonProperty("error") ERROR,
    @JsonProperty("critical") CRITICAL
}
