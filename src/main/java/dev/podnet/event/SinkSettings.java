package dev.podnet.event;

import dev.podnet.config.ConfigException;
import dev.podnet.config.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reading a sink's own keys, with errors that name the key ({@code events.sinks[2].url}). */
final class SinkSettings {
    private SinkSettings() {
    }

    static void onlyKnown(EventsConfig.SinkSpec spec, Set<String> known) {
        for (String key : spec.settings().keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(spec.field() + "." + key + ": unknown field (a " + spec.type()
                        + " sink takes type, types, " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    /**
     * An http or https base URL without credentials, query or fragment; {@code path} is appended to what it
     * has (a gateway's prefix stays).
     */
    static URI url(EventsConfig.SinkSpec spec, String key, String path) {
        String field = spec.field() + "." + key;
        if (!(spec.settings().get(key) instanceof String text) || text.isBlank()) {
            throw new IllegalArgumentException(field + ": the base URL is required, e.g. http://loki.monitoring:3100");
        }
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(field + ": \"" + text + "\" is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(field + ": \"" + text + "\" must start with http:// or https://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(field + ": \"" + text + "\" names no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(field + ": put credentials in the sink's own fields, not in the URL");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(field + ": \"" + text + "\" must have no query or fragment");
        }
        String base = uri.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + path);
    }

    static Duration duration(EventsConfig.SinkSpec spec, String key, Duration fallback, Duration min, Duration max) {
        Object value = spec.settings().get(key);
        if (value == null) {
            return fallback;
        }
        String field = spec.field() + "." + key;
        Duration d;
        try {
            d = Durations.parse(field, String.valueOf(value));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + ": expected from " + min.toMillis() + "ms to " + max.toSeconds() + "s, got " + value);
        }
        return d;
    }

    /** {@code map[key]} as a non-empty string; null when absent and not required. */
    static String string(Map<?, ?> map, String field, String key, boolean required) {
        Object value = map.get(key);
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException(field + "." + key + ": expected a non-empty string" + (value == null ? " (required)" : ""));
        }
        return s;
    }
}
