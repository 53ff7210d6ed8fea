package dev.podnet.probe.bpf;

import dev.podnet.config.ConfigException;
import dev.podnet.config.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * {@code probeSettings.<probe>.window: {length: 2s, every: 10s}}: the probe's programs are attached for
 * {@code length} at the start of every {@code every}, and detached in between (see {@link WindowedHooks}).
 * Without the setting the probe's default applies ({@link #PER_PACKET_DEFAULT} for the probes that run per
 * packet or per softirq); {@code window: none} keeps the programs attached all the time.
 */
record AttachWindow(Duration length, Duration every) {
    static final String SETTING = "window";
    /** The value that keeps a probe attached all the time. */
    static final String NONE = "none";
    /**
     * netiftx and softirq run three programs per packet or softirq, about 0.1 us each on the reference VM
     * whatever they do; attached all the time they cost an iperf3 stream about 6 %. With every default probe
     * on, a quarter of the time still cost 4-5 %, an eighth 2.6 %, under podnet's target of at most 3 %
     * (BENCHMARKS.md). A second of every eight still sees every kind of latency a busy node has, while
     * its histograms' rates are scaled by the sample ratio gauges.
     */
    static final AttachWindow PER_PACKET_DEFAULT = new AttachWindow(Duration.ofSeconds(1), Duration.ofSeconds(8));
    private static final Set<String> KEYS = Set.of("length", "every");

    AttachWindow {
        if (length.isZero() || length.isNegative() || length.compareTo(every) >= 0) {
            throw new IllegalArgumentException("window length " + length + " must be above 0 and below every " + every);
        }
    }

    /**
     * The probe's window: {@code byDefault} without the setting, null (always attached) for {@code none}.
     *
     * @throws IllegalArgumentException naming the setting when it is malformed
     */
    static AttachWindow of(String probe, Map<String, Object> settings, AttachWindow byDefault) {
        Object value = settings.get(SETTING);
        if (value == null) {
            return byDefault;
        }
        if (NONE.equals(value)) {
            return null;
        }
        String field = "probeSettings." + probe + "." + SETTING;
        if (!(value instanceof Map<?, ?> map) || !map.keySet().equals(KEYS)) {
            throw new IllegalArgumentException(field + ": expected {length: <duration>, every: <duration>}, e.g. "
                    + "{length: 2s, every: 10s}, or none to stay attached, got " + value);
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
