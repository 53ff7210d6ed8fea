package dev.podnet.probe;

import java.util.List;
import java.util.Map;

/** Every event type podnet reports, with its severity: warning for what is usually trouble, info for the rest. */
public final class EventTypes {
    public static final String TCP_RESET_NO_SOCKET = "TCP_RESET_NO_SOCKET";
    public static final String TCP_RESET_ACTIVE = "TCP_RESET_ACTIVE";
    public static final String TCP_RESET_RECEIVED = "TCP_RESET_RECEIVED";
    public static final String CONNECT_FAILED = "CONNECT_FAILED";
    public static final String PACKET_DROP = "PACKET_DROP";
    public static final String SOFTIRQ_SLOW = "SOFTIRQ_SLOW";
    public static final String TX_LATENCY_SLOW = "TX_LATENCY_SLOW";
    public static final String LISTEN_OVERFLOW = "LISTEN_OVERFLOW";
    public static final String CONNTRACK_INSERT_FAILED = "CONNTRACK_INSERT_FAILED";
    public static final String CONNTRACK_TABLE_FULL = "CONNTRACK_TABLE_FULL";
    public static final String HEALTH_CHECK_FAILED = "HEALTH_CHECK_FAILED";
    public static final String HEALTH_CHECK_RECOVERED = "HEALTH_CHECK_RECOVERED";
    /** Made by the pipeline itself: events were lost before this one (fields.count says how many). */
    public static final String EVENTS_LOST = "EVENTS_LOST";

    public enum Severity { INFO, WARNING }

    private static final Map<String, Severity> SEVERITY = Map.ofEntries(
            Map.entry(TCP_RESET_NO_SOCKET, Severity.WARNING), Map.entry(TCP_RESET_ACTIVE, Severity.WARNING),
            Map.entry(TCP_RESET_RECEIVED, Severity.INFO), Map.entry(CONNECT_FAILED, Severity.WARNING),
            Map.entry(PACKET_DROP, Severity.WARNING), Map.entry(SOFTIRQ_SLOW, Severity.WARNING),
            Map.entry(TX_LATENCY_SLOW, Severity.WARNING), Map.entry(LISTEN_OVERFLOW, Severity.WARNING),
            Map.entry(CONNTRACK_INSERT_FAILED, Severity.WARNING), Map.entry(CONNTRACK_TABLE_FULL, Severity.WARNING),
            Map.entry(HEALTH_CHECK_FAILED, Severity.WARNING), Map.entry(HEALTH_CHECK_RECOVERED, Severity.INFO),
            Map.entry(EVENTS_LOST, Severity.WARNING));

    /** The types a config may select, in the README's order. */
    public static final List<String> ALL = List.of(TCP_RESET_NO_SOCKET, TCP_RESET_ACTIVE, TCP_RESET_RECEIVED, CONNECT_FAILED,
            PACKET_DROP, SOFTIRQ_SLOW, TX_LATENCY_SLOW, LISTEN_OVERFLOW, CONNTRACK_INSERT_FAILED, CONNTRACK_TABLE_FULL,
            HEALTH_CHECK_FAILED, HEALTH_CHECK_RECOVERED);

    private EventTypes() {
    }

    public static Severity severity(String type) {
        return SEVERITY.getOrDefault(type, Severity.INFO);
    }
}
