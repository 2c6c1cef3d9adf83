package dev.pitwall.core.config;

/**
 * A configuration that cannot be used. The message is one line meant for the person who wrote
 * the file: where (file and line, or the environment variable), which key, what was found and
 * what is expected. Commands print it as it is and exit with status 2.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
