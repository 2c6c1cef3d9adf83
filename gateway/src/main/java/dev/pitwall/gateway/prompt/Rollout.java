package dev.pitwall.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pitwall.core.json.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * How a prompt's traffic splits between its labels: rules first (a tenant, a header the
 * request carries, an OpenAI {@code user}), then a split by weight, sticky per user or session.
 * A two-way split puts a request on the smaller side when its gradual-rollout bucket is at most
 * that side's percentage; three or more sides are chosen as Unleash chooses variants, by
 * weight in the order given (see {@link Bucketing}).
 *
 * @param split      label → percentage, summing to 100, in order
 * @param stickiness {@code user} (the request's {@code user}, else its session), {@code session}
 *                   ({@code X-Session-Id}) or {@code random}
 * @param groupId    the bucketing group: the prompt's name unless set, as an Unleash flag's name is
 * @param rules      requests that always get a label
 */
public record Rollout(Map<String, Integer> split, String stickiness, String groupId, List<Rule> rules) {

    /** A request matching every given condition gets {@code label}. */
    public record Rule(String tenant, String header, String user, String label) {

        boolean matches(Request request) {
            return (tenant == null || tenant.equals(request.tenant()))
                    && (header == null || request.header(header).isPresent())
                    && (user == null || user.equals(request.user()));
        }
    }

    /**
     * What a rollout looks at in a request.
     *
     * @param user    the OpenAI {@code user} field, or null
     * @param headers the request's headers, by name
     */
    public record Request(String tenant, String user, Function<String, Optional<String>> headers) {

        Optional<String> header(String name) {
            return headers.apply(name);
        }
    }

    public static final String SESSION_HEADER = "X-Session-Id";
    /** What Unleash's variant weights add up to. */
    private static final int VARIANT_WEIGHTS = 1000;

    /** Reads {@code {"split":{"production":90,"canary":10},"stickiness":"user","group_id":…,"rules":[…]}}. */
    public static Rollout parse(String prompt, JsonNode spec) {
        if (!spec.isObject()) {
            throw new PromptProblem("", "a rollout is an object such as {\"split\":{\"production\":90,\"canary\":10}}");
        }
        for (var entry : spec.properties()) {
            if (!List.of("split", "stickiness", "group_id", "rules").contains(entry.getKey())) {
                throw new PromptProblem(entry.getKey(), "unknown key " + entry.getKey()
                        + ": a rollout has split, stickiness, group_id and rules");
            }
        }
        Map<String, Integer> split = new LinkedHashMap<>();
        int total = 0;
        for (var entry : spec.path("split").properties()) {
            JsonNode weight = entry.getValue();
            if (!weight.isIntegralNumber() || weight.asInt() < 0 || weight.asInt() > 100) {
                throw new PromptProblem("split." + entry.getKey(), "split." + entry.getKey()
                        + " must be a whole percentage from 0 to 100");
            }
            split.put(entry.getKey(), weight.asInt());
            total += weight.asInt();
        }
        if (split.isEmpty() || total != 100) {
            throw new PromptProblem("split", "the split's percentages must add up to 100, not " + total);
        }
        String stickiness = spec.path("stickiness").asText("user").toLowerCase(Locale.ROOT);
        if (!List.of("user", "session", "random").contains(stickiness)) {
            throw new PromptProblem("stickiness", "stickiness is user, session or random, not " + spec.path("stickiness"));
        }
        List<Rule> rules = new ArrayList<>();
        JsonNode listed = spec.path("rules");
        for (int i = 0; i < listed.size(); i++) {
            JsonNode r = listed.get(i);
            if (!r.path("label").isTextual()) {
                throw new PromptProblem("rules[" + i + "].label", "each rule names the label it gives");
            }
            if (!r.has("tenant") && !r.has("header") && !r.has("user")) {
                throw new PromptProblem("rules[" + i + "]", "a rule matches by tenant, header or user");
            }
            rules.add(new Rule(text(r, "tenant"), text(r, "header"), text(r, "user"), r.path("label").asText()));
        }
        return new Rollout(Collections.unmodifiableMap(split), stickiness, spec.path("group_id").asText(prompt),
                List.copyOf(rules));
    }

    /** This rollout with {@code label}'s share given to {@code to}. */
    Rollout withoutShare(String label, String to) {
        Map<String, Integer> moved = new LinkedHashMap<>(split);
        int share = moved.getOrDefault(label, 0);
        moved.put(label, 0);
        moved.merge(to, share, Integer::sum);
        return new Rollout(Collections.unmodifiableMap(moved), stickiness, groupId, rules);
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    /** The label {@code request} gets. */
    public String choose(Request request) {
        for (Rule rule : rules) {
            if (rule.matches(request)) {
                return rule.label();
            }
        }
        List<Map.Entry<String, Integer>> sides = new ArrayList<>(split.entrySet());
        sides.removeIf(side -> side.getValue() == 0);
        if (sides.size() == 1) {
            return sides.getFirst().getKey();
        }
        String id = stickinessId(request);
        if (sides.size() == 2) {
            // The smaller side takes the low buckets; of two equal sides, the one named second.
            Map.Entry<String, Integer> smaller = sides.get(0).getValue() < sides.get(1).getValue() ? sides.get(0)
                    : sides.get(1);
            Map.Entry<String, Integer> larger = smaller == sides.get(0) ? sides.get(1) : sides.get(0);
            return Bucketing.normalized(id, groupId, 100, Bucketing.ROLLOUT_SEED) <= smaller.getValue()
                    ? smaller.getKey() : larger.getKey();
        }
        // Unleash weighs variants out of 1000 (a percentage is ten of them): the same target, the same side.
        int target = Bucketing.normalized(id, groupId, VARIANT_WEIGHTS, Bucketing.VARIANT_SEED);
        int counter = 0;
        for (Map.Entry<String, Integer> side : sides) {
            counter += side.getValue() * (VARIANT_WEIGHTS / 100);
            if (counter >= target) {
                return side.getKey();
            }
        }
        return sides.getLast().getKey();
    }

    private String stickinessId(Request request) {
        if (stickiness.equals("user") && request.user() != null && !request.user().isEmpty()) {
            return request.user();
        }
        if (!stickiness.equals("random")) {
            Optional<String> session = request.header(SESSION_HEADER);
            if (session.isPresent()) {
                return session.get();
            }
        }
        return String.valueOf(ThreadLocalRandom.current().nextInt(1, 100_001)); // as Unleash, a random id when none
    }

    public ObjectNode toJson() {
        ObjectNode out = Json.mapper().createObjectNode();
        ObjectNode s = out.putObject("split");
        split.forEach(s::put);
        out.put("stickiness", stickiness).put("group_id", groupId);
        var listed = out.putArray("rules");
        for (Rule r : rules) {
            ObjectNode rule = listed.addObject();
            if (r.tenant() != null) {
                rule.put("tenant", r.tenant());
            }
            if (r.header() != null) {
                rule.put("header", r.header());
            }
            if (r.user() != null) {
                rule.put("user", r.user());
            }
            rule.put("label", r.label());
        }
        return out;
    }
}
