package dev.podnet.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Prometheus-style durations: {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h}. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {
    }

    public static Duration parse(String field, String text) throws ConfigException {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new ConfigException(field + ": \"" + text + "\" is not a duration (write e.g. 500ms, 5s, 1m)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
