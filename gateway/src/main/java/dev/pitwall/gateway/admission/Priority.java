package dev.pitwall.gateway.admission;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A tenant's place in a backend's wait queue: a higher class is always served first. */
public enum Priority {
    @JsonProperty("high") HIGH,
    @JsonProperty("normal") NORMAL,
    @JsonProperty("low") LOW;

    /** The name config and the admin API use. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
