package dev.podnet.probe.bpf;

import dev.podnet.config.ConfigException;
import dev.podnet.config.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * {@code probeSettings.<probe>.window: {length: 2s, every: 10s}}: the probe's programs are attached for
 * {@code length} at the start of every {@code every}, and detached in between (see {@link WindowedHooks}).
 * Without the setting they stay attached.
 */
record AttachWindow(Duration length, Duration every) {
    static final String SETTING = "window";
    private static final Set<String> KEYS = Set.of("length", "every");

    AttachWindow {
        if (length.isZero() || length.isNegative() || length.compareTo(every) >= 0) {
            throw new IllegalArgumentException("window length " + length + " must be above 0 and below every " + every);
        }
    }

    /**
     * The probe's window, or null when it has none (always attached).
     *
     * @throws IllegalArgumentException naming the setting when it is malformed
     */
    static AttachWindow of(String probe, Map<String, Object> settings) {
        Object value = settings.get(SETTING);
        if (value == null) {
            return null;
        }
        String field = "probeSettings." + probe + "." + SETTING;
        if (!(value instanceof Map<?, ?> map) || !map.keySet().equals(KEYS)) {
            throw new IllegalArgumentException(field + ": expected {length: <duration>, every: <duration>}, e.g. "
                    + "{length: 2s, every: 10s}, got " + value);
        }
        Duration length = duration(field + ".length", map.get("length"));
        Duration every = duration(field + ".every", map.get("every"));
        if (length.isZero() || length.compareTo(every) >= 0) {
            throw new IllegalArgumentException(field + ": length (" + map.get("length") + ") must be above 0 and below "
                    + "every (" + map.get("every") + "); leave the window out to stay attached");
        }
        return new AttachWindow(length, every);
    }

    private static Duration duration(String field, Object value) {
        try {
            return Durations.parse(field, String.valueOf(value));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The share of time attached; what a steady stream of events is observed in. */
    double fraction() {
        return (double) length.toNanos() / every.toNanos();
    }
}
