package dev.podnet.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.podnet.probe.EventTypes;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An event as sinks and streams carry it.
 *
 * @param id        the bus's sequence number (the SSE {@code id:}); not part of the JSON
 * @param time      when podnet saw it
 * @param node      the node (the agent's node name, else the host name)
 * @param type      UPPER_SNAKE type (see {@link EventTypes})
 * @param severity  {@code warning} or {@code info}
 * @param probe     the probe or component that saw it
 * @param netns     inode of the namespace, 0 when node-wide
 * @param namespace the pod's namespace, empty when not a pod or not known
 * @param pod       the pod, empty when not a pod or not known
 * @param fields    what the kernel told; {@code count} when rate limiting folded several into this one
 * @param message   one human line
 */
@JsonPropertyOrder({"time", "node", "type", "severity", "probe", "netns", "namespace", "pod", "fields", "message"})
public record Event(@JsonIgnore long id, Instant time, String node, String type, String severity, String probe, long netns,
                    String namespace, String pod, Map<String, Object> fields, String message) {

    public Event {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public boolean warning() {
        return "warning".equals(severity);
    }

    /** The pipeline's own event: {@code count} events were lost before this point of a stream. */
    public static Event lost(long id, String node, long count, String where) {
        return new Event(id, Instant.now(), node, EventTypes.EVENTS_LOST, "warning", "podnet", 0, "", "",
                Map.of("count", count), count + " events lost (" + where + ")");
    }

    public Event withId(long newId) {
        return new Event(newId, time, node, type, severity, probe, netns, namespace, pod, fields, message);
    }
}
