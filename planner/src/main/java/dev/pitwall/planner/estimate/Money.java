package dev.pitwall.planner.estimate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * An amount in a currency (an ISO 4217 code as the user gave it: USD, EUR, CNY): the price of a
 * GPU-hour, the cost of a run. Shown with thousands separators and its code, never as a bare number.
 */
public record Money(@JsonProperty("amount") double amount, @JsonProperty("currency") String currency) {

    public static final String DEFAULT_CURRENCY = "USD";

    public Money {
        if (currency == null || !currency.matches("[A-Za-z]{3}")) {
            throw new IllegalArgumentException("currency \"" + currency + "\" is not a three-letter code such as USD, EUR or CNY");
        }
        currency = currency.toUpperCase(Locale.ROOT);
    }

    public Money times(double factor) {
        return new Money(amount * factor, currency);
    }

    /** "1,377,025 USD"; amounts under 100 with cents ("2.50 USD"). */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, Math.abs(amount) < 100 ? "%,.2f %s" : "%,.0f %s", amount, currency);
    }
}
