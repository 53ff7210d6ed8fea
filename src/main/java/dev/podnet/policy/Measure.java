package dev.podnet.policy;

import java.util.EnumSet;
import java.util.Set;

/**
 * The traffic items a task can ask for, with where they stand in the spec and how each may be
 * aggregated (as dolphin allows: RTT only per flow, new connections and failures only per pod).
 */
public enum Measure {
    IP_RECEIVE("spec.monitor.ip.ipReceive", Aggregation.POD, Aggregation.FLOW),
    IP_SEND("spec.monitor.ip.ipSend", Aggregation.POD, Aggregation.FLOW),
    TCP_RECEIVE("spec.monitor.tcp.tcpReceive", Aggregation.POD, Aggregation.FLOW),
    TCP_SEND("spec.monitor.tcp.tcpSend", Aggregation.POD, Aggregation.FLOW),
    TCP_RETRANS("spec.monitor.tcp.tcpRetrans", Aggregation.POD, Aggregation.FLOW),
    TCP_RTT("spec.monitor.tcp.tcpRtt", Aggregation.FLOW),
    TCP_NEW_CONNECTION("spec.monitor.tcp.tcpNewConnection", Aggregation.POD),
    TCP_DROP("spec.monitor.tcp.tcpDrop", Aggregation.POD, Aggregation.FLOW),
    TCP_CONNECTION_FAILURE("spec.monitor.tcp.tcpConnectionFailure", Aggregation.POD),
    UDP_RECEIVE("spec.monitor.udp.udpReceive", Aggregation.POD, Aggregation.FLOW),
    UDP_SEND("spec.monitor.udp.udpSend", Aggregation.POD, Aggregation.FLOW);

    /** Per pod (the pod's own counters) or per flow (the kernel's flow table). */
    public enum Aggregation { POD, FLOW }

    private final String field;
    private final Set<Aggregation> allowed;

    Measure(String field, Aggregation first, Aggregation... more) {
        this.field = field;
        this.allowed = EnumSet.of(first, more);
    }

    /** Where the item stands in a MonitorPolicy, for messages. */
    public String field() {
        return field;
    }

    public Set<Aggregation> allowed() {
        return allowed;
    }
}
