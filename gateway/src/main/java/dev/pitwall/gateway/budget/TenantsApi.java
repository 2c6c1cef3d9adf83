package dev.pitwall.gateway.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import dev.pitwall.gateway.admission.Priority;
import dev.pitwall.gateway.auth.AdminAuthorization;
import dev.pitwall.gateway.overrides.OverridesService;
import java.util.Locale;
import java.util.Set;

/**
 * The admin API for tenants' budgets, at {@value #PATH} behind the admin key:
 * {@code POST {"name":"team-a","rpm":600,"tpm":100000,"max_streams":20,"priority":"high"}} sets a
 * new one; {@code GET}, {@code PUT} and {@code DELETE /admin/api/tenants/{name}} read, replace and
 * remove one. Budgets set here override {@code gateway.tenants} of the config.
 */
public final class TenantsApi implements OverridesService.Kind<TenantBudget> {

    public static final String PATH = "/admin/api/tenants";

    /** The admin API over {@code budgets}. */
    public static OverridesService<TenantBudget> service(TenantBudgets budgets,
                                                         AdminAuthorization authorize) {
        return new OverridesService<>(PATH, budgets, new TenantsApi(), authorize);
    }

    private TenantsApi() {
    }

    @Override
    public String noun() {
        return "tenant budget";
    }

    @Override
    public String code() {
        return "tenant";
    }

    @Override
    public String configKey() {
        return "gateway.tenants";
    }

    @Override
    public String example() {
        return "{\"name\":\"team-a\",\"rpm\":600,\"tpm\":100000,\"max_streams\":20,\"priority\":\"high\"}";
    }

    @Override
    public Set<String> fields() {
        return Set.of("name", "rpm", "tpm", "max_streams", "priority");
    }

    @Override
    public TenantBudget read(ObjectNode body, String name) throws OverridesService.Refused {
        Long rpm = count(body, "rpm");
        Long tpm = count(body, "tpm");
        Long streams = count(body, "max_streams");
        Priority priority = null;
        JsonNode p = body.path("priority");
        if (!p.isMissingNode() && !p.isNull()) {
            try {
                priority = p.isTextual() ? Priority.valueOf(p.asText().toUpperCase(Locale.ROOT)) : null;
            } catch (IllegalArgumentException e) {
                priority = null;
            }
            if (priority == null) {
                throw new OverridesService.Refused("priority must be high, normal or low, not " + p, "priority");
            }
        }
        if (streams != null && streams > Integer.MAX_VALUE) {
            throw new OverridesService.Refused("max_streams is too large", "max_streams");
        }
        return new TenantBudget(name, rpm, tpm, streams == null ? null : streams.intValue(), priority);
    }

    @Override
    public ObjectNode json(TenantBudget b) {
        return Json.mapper().createObjectNode().put("name", b.name()).put("rpm", b.rpm()).put("tpm", b.tpm())
                .put("max_streams", b.maxStreams()).put("priority", b.priority().label());
    }

    /** A whole-number field of at least 0, or null when absent. */
    private static Long count(ObjectNode body, String field) throws OverridesService.Refused {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            throw new OverridesService.Refused(field + " must be a whole number of at least 0 (0: no limit)", field);
        }
        return node.asLong();
    }
}
