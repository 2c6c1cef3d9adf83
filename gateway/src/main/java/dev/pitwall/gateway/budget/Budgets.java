package dev.pitwall.gateway.budget;

import dev.pitwall.core.http.ApiError;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/**
 * The budget stage of a gateway request: takes the request and its estimated tokens from the
 * tenant's budget, holds a place for its stream, writes OpenAI's rate-limit headers, and refuses
 * with 429 in OpenAI's shape when the budget is spent. Once the answer is done its usage
 * corrects the estimate.
 */
public final class Budgets {

    /** A request's charge against its tenant's budget, settled once the answer is done. */
    public interface Charge extends AutoCloseable {

        /** The answer's usage as the backend reported it (0 when it reported none: the estimate stands). */
        void settle(long usedTokens);

        /** Frees the stream's place, if it took one. */
        @Override
        void close();
    }

    private static final Charge FREE = new Charge() {
        @Override
        public void settle(long usedTokens) {
        }

        @Override
        public void close() {
        }
    };

    private final TenantBudgets budgets;
    private final BudgetCounters counters;
    private final MeterRegistry registry;

    public Budgets(TenantBudgets budgets, BudgetCounters counters, MeterRegistry registry) {
        this.budgets = budgets;
        this.counters = counters;
        this.registry = registry;
    }

    public TenantBudget of(String tenant) {
        return budgets.of(tenant);
    }

    /**
     * Charges the request to {@code budget}, or refuses it: empty when refused, the 429 then
     * sent on {@code res}. Either way {@code res} carries the rate-limit headers of the limits the
     * tenant has.
     */
    public Optional<Charge> charge(TenantBudget budget, long estimatedTokens, boolean streamed, ServerResponse res) {
        if (!budget.limitsRequests() && !budget.limitsTokens() && !budget.limitsStreams()) {
            return Optional.of(FREE);
        }
        long charged = 0;
        if (budget.limitsRequests() || budget.limitsTokens()) {
            Verdict verdict = counters.take(budget, estimatedTokens);
            headers(budget, verdict, res);
            if (!verdict.admitted()) {
                refuse(budget, verdict.deniedBy(), verdict.retryAfterMillis(), message(budget, verdict, estimatedTokens),
                        res);
                return Optional.empty();
            }
            charged = budget.limitsTokens() ? estimatedTokens : 0;
        }
        BudgetCounters.StreamSlot slot = null;
        if (streamed && budget.limitsStreams()) {
            Optional<BudgetCounters.StreamSlot> opened = counters.openStream(budget);
            if (opened.isEmpty()) {
                counters.adjust(budget, -charged); // the tokens were not used; the request still counts
                refuse(budget, "requests", 1_000, "tenant " + budget.name() + " has " + budget.maxStreams()
                        + " streams open, its max_streams; retry when one ends", res);
                return Optional.empty();
            }
            slot = opened.get();
        }
        return Optional.of(new Taken(budget, charged, slot));
    }

    private final class Taken implements Charge {
        private final TenantBudget budget;
        private final long charged;
        private final BudgetCounters.StreamSlot slot;

        Taken(TenantBudget budget, long charged, BudgetCounters.StreamSlot slot) {
            this.budget = budget;
            this.charged = charged;
            this.slot = slot;
        }

        @Override
        public void settle(long usedTokens) {
            if (charged > 0 && usedTokens > 0) {
                counters.adjust(budget, usedTokens - charged);
            }
        }

        @Override
        public void close() {
            if (slot != null) {
                slot.close();
            }
        }
    }

    private void refuse(TenantBudget budget, String type, long retryAfterMillis, String message, ServerResponse res) {
        Counter.builder("pitwall.gateway.budget.refused").description("Requests refused 429 for their tenant's budget")
                .tags("tenant", budget.name(), "type", type).register(registry).increment();
        res.header(HeaderNames.RETRY_AFTER, String.valueOf(Math.max(1, (retryAfterMillis + 999) / 1000)));
        new ApiError(Status.TOO_MANY_REQUESTS_429, type, message, null, "rate_limit_exceeded").send(res);
    }

    private static String message(TenantBudget budget, Verdict verdict, long estimatedTokens) {
        String retry = "; retry in " + RateLimitHeaders.duration(verdict.retryAfterMillis());
        if (verdict.deniedBy().equals("requests")) {
            return "Rate limit reached for tenant " + budget.name() + " on requests per minute: limit " + budget.rpm()
                    + ", remaining 0" + retry;
        }
        if (estimatedTokens > budget.tpm()) {
            return "Request too large for tenant " + budget.name() + " on tokens per minute: limit " + budget.tpm()
                    + ", this request needs about " + estimatedTokens + " (its prompt and max_tokens); ask for fewer tokens";
        }
        return "Rate limit reached for tenant " + budget.name() + " on tokens per minute: limit " + budget.tpm()
                + ", remaining " + verdict.remainingTokens() + ", this request needs about " + estimatedTokens + retry;
    }

    private static void headers(TenantBudget budget, Verdict verdict, ServerResponse res) {
        if (budget.limitsRequests()) {
            res.header(RateLimitHeaders.LIMIT_REQUESTS, String.valueOf(budget.rpm()));
            res.header(RateLimitHeaders.REMAINING_REQUESTS, String.valueOf(verdict.remainingRequests()));
            res.header(RateLimitHeaders.RESET_REQUESTS, RateLimitHeaders.duration(verdict.resetRequestsMillis()));
        }
        if (budget.limitsTokens()) {
            res.header(RateLimitHeaders.LIMIT_TOKENS, String.valueOf(budget.tpm()));
            res.header(RateLimitHeaders.REMAINING_TOKENS, String.valueOf(verdict.remainingTokens()));
            res.header(RateLimitHeaders.RESET_TOKENS, RateLimitHeaders.duration(verdict.resetTokensMillis()));
        }
    }
}
