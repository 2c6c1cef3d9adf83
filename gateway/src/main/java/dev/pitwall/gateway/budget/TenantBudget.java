package dev.pitwall.gateway.budget;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pitwall.core.config.ConfigProblem;
import dev.pitwall.gateway.admission.Priority;
import dev.pitwall.gateway.auth.ApiKeys;

/**
 * What one tenant may use of the gateway. A limit of 0 (or one left out) is no limit.
 *
 * @param name       the tenant, as its API keys name it
 * @param rpm        requests per minute
 * @param tpm        tokens per minute, prompt plus completion
 * @param maxStreams streamed answers open at once
 * @param priority   its requests' place in a full backend's wait queue
 */
public record TenantBudget(String name, Long rpm, Long tpm, @JsonProperty("max_streams") @JsonAlias("max-streams") Integer maxStreams,
                           Priority priority) {

    public TenantBudget {
        if (!ApiKeys.validTenant(name)) {
            throw new ConfigProblem("name", name == null ? "nothing" : "\"" + name + "\"",
                    "a tenant name of lower-case letters, digits, '.', '_' and '-'");
        }
        rpm = rpm == null ? 0 : rpm;
        tpm = tpm == null ? 0 : tpm;
        maxStreams = maxStreams == null ? 0 : maxStreams;
        priority = priority == null ? Priority.NORMAL : priority;
        ConfigProblem.atLeast("rpm", rpm, 0, "a request count per minute (0: no limit)");
        ConfigProblem.atLeast("tpm", tpm, 0, "a token count per minute (0: no limit)");
        ConfigProblem.inRange("max_streams", maxStreams, 0, 1_000_000, "a stream count (0: no limit)");
    }

    /** A tenant nobody set a budget for: no limits, normal priority. */
    public static TenantBudget unlimited(String name) {
        return new TenantBudget(name, 0L, 0L, 0, Priority.NORMAL);
    }

    public boolean limitsRequests() {
        return rpm > 0;
    }

    public boolean limitsTokens() {
        return tpm > 0;
    }

    public boolean limitsStreams() {
        return maxStreams > 0;
    }
}
