package dev.podnet.probe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An anomaly a probe saw, as it reports it: the event pipeline adds the time, the node, the pod the
 * namespace belongs to, and rate-limits and delivers it.
 *
 * @param type     UPPER_SNAKE type, e.g. {@code TCP_RESET_NO_SOCKET} (see {@link EventTypes})
 * @param probe    the probe (or component, e.g. {@code health}) that saw it
 * @param netns    inode of the network namespace it happened in; 0 when node-wide or unknown
 * @param fields   what the kernel told, by name ({@code protocol}, {@code saddr}, {@code sport}, {@code daddr},
 *                 {@code dport}, {@code state}, {@code reason}, {@code location}, {@code latency_seconds},
 *                 {@code cpu}, {@code count}, ...): strings and numbers, in a stable order
 * @param message  one human line
 */
public record ProbeEvent(String type, String probe, long netns, Map<String, Object> fields, String message) {

    public ProbeEvent {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
}
