package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.bpf.BpfObject;
import dev.podnet.probe.EventEmitter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a BPF probe's kernel side makes of events (events.h's {@code struct event_config}, set before the
 * object is loaded): which of its event kinds are wanted, how many records one CPU may send per second,
 * and for latency probes the threshold above which a timed event is reported.
 *
 * <p>A kind is wanted when the config's {@code events.types} has its type at the probe's start. With no
 * kind wanted the verifier removes every event path and the ring buffer shrinks to one page, so the probe
 * costs what it cost without events. A change of {@code events.types} that adds a type reaches a running
 * probe when it restarts (any change of its settings does that); types removed are filtered by the event
 * pipeline at once.
 *
 * @param wanted        the wanted types, in the order of the probe's kinds (null where not wanted)
 * @param perCpuPerSecond records one CPU may send per second; more are counted as lost
 * @param threshold     latency probes: slower than this is an event; null for the others
 */
record KernelEventConfig(List<String> wanted, int perCpuPerSecond, Duration threshold) {
    static final String PER_SECOND_SETTING = "eventsPerSecond";
    static final String THRESHOLD_SETTING = "eventThreshold";
    /**
     * What one CPU may send per second. The event pipeline passes a burst of 10 and then 1 a second per type
     * and pod (events.rateLimit), so more than this mostly becomes folded counts, paid for in reader CPU on a
     * node that is already dropping or resetting: beyond it the kernel counts the records as lost (reported
     * as EVENTS_LOST and podnet_bpf_events_lost_total{cause="rate"}).
     */
    static final int DEFAULT_PER_CPU_PER_SECOND = 100;
    static final int MAX_PER_CPU_PER_SECOND = 1_000_000;
    static final Duration DEFAULT_THRESHOLD = Duration.ofMillis(10);
    /** The ring buffer's size when no kind is wanted: the smallest the kernel takes. */
    static final int UNUSED_RING_BYTES = 4096;
    static final String RODATA = ".rodata.events";
    static final String RING = "events";
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|µs|ms|s)");

    /** The settings a probe with events has: {@code eventsPerSecond}, and {@code eventThreshold} for latency probes. */
    static Set<String> settings(boolean latency) {
        return latency ? Set.of(PER_SECOND_SETTING, THRESHOLD_SETTING) : Set.of(PER_SECOND_SETTING);
    }

    /**
     * The probe's event config.
     *
     * @param types   the probe's event types, index = kind in its C source
     * @param latency whether it takes {@code eventThreshold}
     * @throws IllegalArgumentException naming a malformed setting
     */
    static KernelEventConfig of(String probe, Map<String, Object> settings, List<String> types, boolean latency,
                                EventEmitter events) {
        List<String> wanted = new ArrayList<>();
        for (String type : types) {
            wanted.add(events.wants(type) ? type : null);
        }
        return new KernelEventConfig(wanted, perSecond(probe, settings), latency ? threshold(probe, settings) : null);
    }

    /** Checks the event settings without acquiring anything. */
    static void check(String probe, Map<String, Object> settings, boolean latency) {
        perSecond(probe, settings);
        if (latency) {
            threshold(probe, settings);
        }
    }

    private static int perSecond(String probe, Map<String, Object> settings) {
        Object value = settings.get(PER_SECOND_SETTING);
        if (value == null) {
            return DEFAULT_PER_CPU_PER_SECOND;
        }
        boolean whole = value instanceof Integer || value instanceof Long || value instanceof BigInteger;
        if (!whole || value instanceof BigInteger big && big.bitLength() > 31 || ((Number) value).longValue() < 1
                || ((Number) value).longValue() > MAX_PER_CPU_PER_SECOND) {
            throw new IllegalArgumentException("probeSettings." + probe + "." + PER_SECOND_SETTING
                    + ": expected a whole number of events per CPU and second from 1 to " + MAX_PER_CPU_PER_SECOND
                    + ", got " + value);
        }
        return ((Number) value).intValue();
    }

    private static Duration threshold(String probe, Map<String, Object> settings) {
        Object value = settings.get(THRESHOLD_SETTING);
        if (value == null) {
            return DEFAULT_THRESHOLD;
        }
        Matcher m = DURATION.matcher(String.valueOf(value).strip());
        if (!(value instanceof String) || !m.matches()) {
            throw new IllegalArgumentException("probeSettings." + probe + "." + THRESHOLD_SETTING
                    + ": expected a duration such as 10ms, 500us or 2s, got " + value);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ns" -> Duration.ofNanos(n);
            case "us", "µs" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            default -> Duration.ofSeconds(n);
        };
    }

    boolean any() {
        return wanted.stream().anyMatch(t -> t != null);
    }

    /** The kinds' bit mask, bit i for kind i. */
    int kinds() {
        int mask = 0;
        for (int kind = 0; kind < wanted.size(); kind++) {
            if (wanted.get(kind) != null) {
                mask |= 1 << kind;
            }
        }
        return mask;
    }

    /** struct event_config: kinds, per_cpu_per_second, threshold_ns. */
    byte[] image() {
        return ByteBuffer.allocate(16).order(BpfMap.order()).putInt(0, kinds()).putInt(4, perCpuPerSecond)
                .putLong(8, threshold == null ? 0 : threshold.toNanos()).array();
    }

    /** Sets the config in an opened, not yet loaded object; shrinks its ring buffer when no kind is wanted. */
    void applyTo(BpfObject opened) throws BpfException {
        opened.map(RODATA).setInitialValue(image());
        if (!any()) {
            opened.map(RING).setMaxEntries(UNUSED_RING_BYTES);
        }
    }

    /** "10 ms", "1 µs": the threshold as messages say it. */
    static String describe(Duration d) {
        long ns = d.toNanos();
        if (ns % 1_000_000_000 == 0) {
            return ns / 1_000_000_000 + " s";
        }
        if (ns % 1_000_000 == 0) {
            return ns / 1_000_000 + " ms";
        }
        if (ns % 1000 == 0) {
            return ns / 1000 + " µs";
        }
        return ns + " ns";
    }
}
