package dev.podnet.traffic;

import java.util.Map;
import java.util.Set;

/**
 * {@code probeSettings.traffic}: how many namespaces the kernel maps hold, whether the histograms are
 * per pod, and how the programs are attached.
 *
 * @param maxNamespaces     namespaces counted at once (kernel memory: this many slots per CPU)
 * @param perPodHistograms  packet size, TCP payload and RTT histograms per pod instead of node-wide
 * @param attach            how programs go on devices
 */
record TrafficSettings(int maxNamespaces, boolean perPodHistograms, AttachMode attach) {
    static final int DEFAULT_MAX_NAMESPACES = 512;
    static final int MAX_NAMESPACES_LIMIT = 65536;
    private static final Set<String> KEYS = Set.of("maxNamespaces", "perPodHistograms", "attach");

    /** tcx links where the kernel has them (6.6+), else clsact filters; or one of the two only. */
    enum AttachMode { AUTO, TCX, TC }

    /** @throws IllegalArgumentException naming the setting and what is wrong with it */
    static TrafficSettings of(String probe, Map<String, Object> settings) {
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("probeSettings." + probe + ": unknown setting \"" + key
                        + "\" (known: attach, maxNamespaces, perPodHistograms)");
            }
        }
        int max = DEFAULT_MAX_NAMESPACES;
        Object value = settings.get("maxNamespaces");
        if (value != null) {
            if (!(value instanceof Integer n) || n < 1 || n > MAX_NAMESPACES_LIMIT) {
                throw new IllegalArgumentException("probeSettings." + probe + ".maxNamespaces: expected a whole number from 1 to "
                        + MAX_NAMESPACES_LIMIT + ", got " + value);
            }
            max = n;
        }
        boolean perPod = false;
        value = settings.get("perPodHistograms");
        if (value != null) {
            if (!(value instanceof Boolean b)) {
                throw new IllegalArgumentException("probeSettings." + probe + ".perPodHistograms: expected true or false, got " + value);
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
                default -> throw new IllegalArgumentException("probeSettings." + probe + ".attach: expected auto, tcx or tc, got "
                        + value);
            };
        }
        return new TrafficSettings(max, perPod, mode);
    }
}
