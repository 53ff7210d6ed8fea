package dev.podnet.traffic;

import dev.podnet.config.ConfigException;
import dev.podnet.config.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * {@code probeSettings.traffic}: how many namespaces the kernel maps hold, whether the histograms are
 * per pod, how the programs are attached, and the bounds of the flow table.
 *
 * @param maxNamespaces     namespaces counted at once (kernel memory: this many slots per CPU)
 * @param perPodHistograms  packet size, TCP payload and RTT histograms per pod instead of node-wide
 * @param attach            how programs go on devices
 * @param maxFlows          entries of the kernel's flow map (memory follows the flows really seen)
 * @param maxFlowSeries     flow series exported per node at most; flows beyond are dropped and counted
 * @param flowIdleTimeout   a flow without packets for this long leaves the table and the exposition
 * @param flowDrainInterval how often user space reads the kernel's flow map, ages and evicts flows
 */
record TrafficSettings(int maxNamespaces, boolean perPodHistograms, AttachMode attach, int maxFlows, int maxFlowSeries,
                       Duration flowIdleTimeout, Duration flowDrainInterval) {
    static final int DEFAULT_MAX_NAMESPACES = 512;
    static final int MAX_NAMESPACES_LIMIT = 65536;
    static final int DEFAULT_MAX_FLOWS = 65536;
    static final int MAX_FLOWS_LIMIT = 4 * 1024 * 1024;
    static final int DEFAULT_MAX_FLOW_SERIES = 50_000;
    static final Duration DEFAULT_FLOW_IDLE_TIMEOUT = Duration.ofMinutes(5);
    static final Duration DEFAULT_FLOW_DRAIN_INTERVAL = Duration.ofSeconds(2);
    private static final Set<String> KEYS = Set.of("maxNamespaces", "perPodHistograms", "attach", "maxFlows", "maxFlowSeries",
            "flowIdleTimeout", "flowDrainInterval");

    /** tcx links where the kernel has them (6.6+), else clsact filters; or one of the two only. */
    enum AttachMode { AUTO, TCX, TC }

    /** @throws IllegalArgumentException naming the setting and what is wrong with it */
    static TrafficSettings of(String probe, Map<String, Object> settings) {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("probeSettings." + probe + ": unknown setting \"" + key
                        + "\" (known: attach, flowDrainInterval, flowIdleTimeout, maxFlowSeries, maxFlows, maxNamespaces, "
                        + "perPodHistograms)");
            }
        }
        String at = "probeSettings." + probe + ".";
        int max = whole(at + "maxNamespaces", settings.get("maxNamespaces"), DEFAULT_MAX_NAMESPACES, 1, MAX_NAMESPACES_LIMIT);
        boolean perPod = false;
        Object value = settings.get("perPodHistograms");
        if (value != null) {
            if (!(value instanceof Boolean b)) {
                throw new IllegalArgumentException(at + "perPodHistograms: expected true or false, got " + value);
            }
            perPod = b;
        }
        AttachMode mode = AttachMode.AUTO;
        value = settings.get("attach");
        if (value != null) {
            mode = switch (String.valueOf(value)) {
                case "auto" -> AttachMode.AUTO;
                case "tcx" -> AttachMode.TCX;
                case "tc" -> AttachMode.TC;
                default -> throw new IllegalArgumentException(at + "attach: expected auto, tcx or tc, got " + value);
            };
        }
        int maxFlows = whole(at + "maxFlows", settings.get("maxFlows"), DEFAULT_MAX_FLOWS, 1024, MAX_FLOWS_LIMIT);
        int maxFlowSeries = whole(at + "maxFlowSeries", settings.get("maxFlowSeries"), DEFAULT_MAX_FLOW_SERIES, 0, MAX_FLOWS_LIMIT);
        Duration idle = duration(at + "flowIdleTimeout", settings.get("flowIdleTimeout"), DEFAULT_FLOW_IDLE_TIMEOUT);
        Duration drain = duration(at + "flowDrainInterval", settings.get("flowDrainInterval"), DEFAULT_FLOW_DRAIN_INTERVAL);
        if (drain.compareTo(Duration.ofMillis(100)) < 0 || drain.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException(at + "flowDrainInterval: expected 100ms to 1m, got " + settings.get("flowDrainInterval"));
        }
        if (idle.compareTo(drain) < 0) {
            throw new IllegalArgumentException(at + "flowIdleTimeout: " + settings.get("flowIdleTimeout")
                    + " is shorter than flowDrainInterval (" + drain.toMillis() + " ms)");
        }
        return new TrafficSettings(max, perPod, mode, maxFlows, maxFlowSeries, idle, drain);
    }

    private static int whole(String field, Object value, int fallback, int min, int limit) {
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Integer n) || n < min || n > limit) {
            throw new IllegalArgumentException(field + ": expected a whole number from " + min + " to " + limit + ", got " + value);
        }
        return n;
    }

    private static Duration duration(String field, Object value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Durations.parse(field, String.valueOf(value));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
