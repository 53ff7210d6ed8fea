package dev.podnet.config;

/** A configuration that cannot be used; the message names the field and the bad value. */
public class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
