package dev.podnet.event;

import dev.podnet.probe.EventEmitter;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.probe.Sample;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Events from the change of a namespace's kernel counters between two collections: listen queue
 * overflows (TcpExt ListenOverflows, with ListenDrops), conntrack insert failures, and conntrack drops
 * of a full table (drop, early_drop). The change is the event's {@code count}. A namespace's first
 * collection only sets the baseline, and a counter that went down (the namespace was recreated) starts
 * over, so nothing is reported that did not happen between two collections.
 */
public final class CounterEvents {
    private static final String OVERFLOWS = "podnet_netstat_tcpext_listen_overflows_total";
    private static final String LISTEN_DROPS = "podnet_netstat_tcpext_listen_drops_total";
    private static final String INSERT_FAILED = "podnet_conntrack_stat_insert_failed_total";
    private static final String DROP = "podnet_conntrack_stat_drop_total";
    private static final String EARLY_DROP = "podnet_conntrack_stat_early_drop_total";
    private static final List<String> WATCHED = List.of(OVERFLOWS, LISTEN_DROPS, INSERT_FAILED, DROP, EARLY_DROP);

    private final EventEmitter events;
    private Map<String, Map<String, Double>> previous = Map.of();

    public CounterEvents(EventEmitter events) {
        this.events = events;
    }

    /** One complete collection's samples. */
    public synchronized void observe(List<Sample> samples) {
        Map<String, Map<String, Double>> now = new HashMap<>();
        for (Sample s : samples) {
            if (s.baseValues().length > 0 && WATCHED.contains(s.name())) {
                now.computeIfAbsent(s.baseValues()[0], n -> new HashMap<>()).merge(s.name(), s.value(), Double::sum);
            }
        }
        for (var entry : now.entrySet()) {
            Map<String, Double> before = previous.get(entry.getKey());
            if (before == null) {
                continue;
            }
            long netns = Long.parseLong(entry.getKey());
            Map<String, Double> after = entry.getValue();
            long overflows = delta(before, after, OVERFLOWS);
            if (overflows > 0) {
                emit(EventTypes.LISTEN_OVERFLOW, "netstat", netns, overflows,
                        Map.of("listen_drops", delta(before, after, LISTEN_DROPS)),
                        overflows + " connections overflowed a listen queue (TcpExt ListenOverflows)");
            }
            long insertFailed = delta(before, after, INSERT_FAILED);
            if (insertFailed > 0) {
                emit(EventTypes.CONNTRACK_INSERT_FAILED, "conntrack", netns, insertFailed, Map.of(),
                        insertFailed + " conntrack entries could not be inserted (insert_failed)");
            }
            long full = delta(before, after, DROP) + delta(before, after, EARLY_DROP);
            if (full > 0) {
                emit(EventTypes.CONNTRACK_TABLE_FULL, "conntrack", netns, full,
                        Map.of("drop", delta(before, after, DROP), "early_drop", delta(before, after, EARLY_DROP)),
                        full + " packets dropped or entries evicted because the conntrack table was full");
            }
        }
        previous = now;
    }

    private void emit(String type, String probe, long netns, long count, Map<String, Object> extra, String message) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("count", count);
        fields.putAll(extra);
        events.emit(new ProbeEvent(type, probe, netns, fields, message));
    }

    private static long delta(Map<String, Double> before, Map<String, Double> after, String name) {
        Double a = before.get(name);
        Double b = after.get(name);
        if (a == null || b == null || b < a) {
            return 0;
        }
        return (long) (b - a);
    }
}
