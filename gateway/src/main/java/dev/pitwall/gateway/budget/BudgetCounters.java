package dev.pitwall.gateway.budget;

import java.util.Optional;

/**
 * Where tenants' usage is counted: in this process, or in Redis for every replica at once.
 * Requests and tokens are token buckets that refill a minute's budget evenly over the minute,
 * so a tenant can burst to its per-minute limit and then goes on at its rate.
 */
public interface BudgetCounters extends AutoCloseable {

    /**
     * Takes one request and {@code tokens} from {@code budget}'s buckets when both fit, and
     * neither when one does not.
     */
    Verdict take(TenantBudget budget, long tokens);

    /** The tenant used {@code tokens} more than was taken up front (fewer when negative). */
    void adjust(TenantBudget budget, long tokens);

    /** A place for one more open stream, empty when the tenant has {@code max_streams} open. */
    Optional<StreamSlot> openStream(TenantBudget budget);

    @Override
    void close();

    /** An open stream's place; closing it frees the place. */
    interface StreamSlot extends AutoCloseable {
        @Override
        void close();
    }
}
