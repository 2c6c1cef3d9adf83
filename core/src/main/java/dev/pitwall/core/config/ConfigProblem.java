package dev.pitwall.core.config;

/**
 * Thrown by a configuration record's constructor when a value is of the right type but
 * impossible (a port of 70000, a pool of zero connections). The loader adds where the value came
 * from and the full key path, so a record only names its own key.
 */
public final class ConfigProblem extends RuntimeException {

    private final String key;
    private final Object found;
    private final String expected;

    public ConfigProblem(String key, Object found, String expected) {
        super(key + ": found " + found + ", expected " + expected);
        this.key = key;
        this.found = found;
        this.expected = expected;
    }

    public String key() {
        return key;
    }

    public Object found() {
        return found;
    }

    public String expected() {
        return expected;
    }

    /** Checks that {@code value} lies in {@code [min, max]}; {@code what} completes "expected …". */
    public static int inRange(String key, int value, int min, int max, String what) {
        if (value < min || value > max) {
            throw new ConfigProblem(key, value, what + " between " + min + " and " + max);
        }
        return value;
    }

    public static long atLeast(String key, long value, long min, String what) {
        if (value < min) {
            throw new ConfigProblem(key, value, what + " of at least " + min);
        }
        return value;
    }

    public static java.time.Duration positive(String key, java.time.Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigProblem(key, DurationText.format(value), "a duration greater than zero");
        }
        return value;
    }
}
