package dev.podnet.traffic;

import dev.podnet.probe.FlowWatch;
import dev.podnet.probe.FlowWatch.Item;
import dev.podnet.probe.MetricSink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the flow series of every watch from the flow table, within the node's series budget
 * ({@code maxFlowSeries}): oldest flows first, and a flow whose series do not fit is left out whole and
 * counted once in {@code podnet_flows_dropped_total{reason="series_limit"}} (again only if it fitted in
 * between). A watch with {@code flowKey: service} folds client ports itself, so a pod watched by a
 * 5-tuple task too (the kernel then keys it by 5-tuple) still gets one series per service.
 *
 * <p>Labels are the watch's, then {@code ipfamily}, {@code srcip}, {@code srcport}, {@code dstip},
 * {@code dstport} of the packets counted: the pod is the source of what it transmits and the destination
 * of what it receives. Retransmissions, drops and RTT are the pod's connection's, written as sent by the
 * pod. A folded port is empty.
 */
final class FlowExport {
    private static final String[] DIRECTIONS = {"receive", "transmit"};

    private final int maxSeries;
    private Set<FlowTuple> refusedBefore = Set.of();
    private long dropped;
    private int lastSeries;

    FlowExport(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    /** One series being summed: its metric, its label values after the watch's, and the sum. */
    private record SeriesKey(String metric, List<String> labels) {
    }

    private static final class Sum {
        double value;
        int count;
    }

    synchronized void write(List<FlowWatch> watches, Map<Long, List<FlowTable.Flow>> flows, MetricSink out) {
        Map<SeriesKey, Sum> series = new LinkedHashMap<>();
        Set<FlowTuple> refused = new HashSet<>();
        for (FlowWatch watch : watches) {
            for (FlowTable.Flow flow : flows.getOrDefault(watch.netns(), List.of())) {
                List<SeriesKey> keys = new ArrayList<>();
                List<Double> values = new ArrayList<>();
                contributions(watch, flow, keys, values);
                int fresh = 0;
                for (SeriesKey k : keys) {
                    if (!series.containsKey(k)) {
                        fresh++;
                    }
                }
                if (series.size() + fresh > maxSeries) {
                    refused.add(flow.tuple());
                    continue;
                }
                for (int i = 0; i < keys.size(); i++) {
                    Sum sum = series.computeIfAbsent(keys.get(i), k -> new Sum());
                    sum.value += values.get(i);
                    sum.count++;
                }
            }
        }
        for (FlowTuple t : refused) {
            if (!refusedBefore.contains(t)) {
                dropped++;
            }
        }
        refusedBefore = refused;
        lastSeries = series.size();
        for (Map.Entry<SeriesKey, Sum> e : series.entrySet()) {
            emit(e.getKey(), e.getValue(), out);
        }
    }

    private static void contributions(FlowWatch watch, FlowTable.Flow flow, List<SeriesKey> keys, List<Double> values) {
        FlowTuple t = watch.fiveTuple() ? flow.tuple() : flow.tuple().folded();
        FlowLayout.Counters c = flow.counters();
        String family = t.ipv4() ? "ipv4" : "ipv6";
        String local = port(t.localPort());
        String remote = port(t.remotePort());
        List<String> received = labels(watch, family, flow.remoteAddress(), remote, flow.localAddress(), local);
        List<String> sent = labels(watch, family, flow.localAddress(), local, flow.remoteAddress(), remote);
        boolean tcp = t.protocol() == FlowLayout.PROTOCOL_TCP;
        boolean udp = t.protocol() == FlowLayout.PROTOCOL_UDP;
        for (int d = 0; d < 2; d++) {
            List<String> l = d == 0 ? received : sent;
            long bytes = d == 0 ? c.receiveBytes() : c.transmitBytes();
            long packets = d == 0 ? c.receivePackets() : c.transmitPackets();
            if (packets == 0) {
                continue; // no series for a direction the flow never used
            }
            if (watch.items().contains(d == 0 ? Item.IP_RECEIVE : Item.IP_TRANSMIT)) {
                traffic("ip", d, l, bytes, packets, keys, values);
            }
            if (tcp && watch.items().contains(d == 0 ? Item.TCP_RECEIVE : Item.TCP_TRANSMIT)) {
                traffic("tcp", d, l, bytes, packets, keys, values);
            }
            if (udp && watch.items().contains(d == 0 ? Item.UDP_RECEIVE : Item.UDP_TRANSMIT)) {
                traffic("udp", d, l, bytes, packets, keys, values);
            }
        }
        if (tcp && watch.items().contains(Item.TCP_RETRANSMITS)) {
            keys.add(new SeriesKey("podnet_flow_tcp_retransmits_total", sent));
            values.add((double) c.retransmits());
        }
        if (tcp && watch.items().contains(Item.TCP_DROPS)) {
            keys.add(new SeriesKey("podnet_flow_tcp_drops_total", sent));
            values.add((double) c.drops());
        }
        if (tcp && c.srttMicros() > 0 && watch.items().contains(Item.TCP_RTT)) {
            keys.add(new SeriesKey("podnet_flow_tcp_srtt_seconds", sent));
            values.add(c.srttMicros() / 1e6);
        }
    }

    private static void traffic(String protocol, int direction, List<String> labels, long bytes, long packets,
                                List<SeriesKey> keys, List<Double> values) {
        String prefix = "podnet_flow_" + protocol + "_" + DIRECTIONS[direction];
        keys.add(new SeriesKey(prefix + "_bytes_total", labels));
        values.add((double) bytes);
        keys.add(new SeriesKey(prefix + "_packets_total", labels));
        values.add((double) packets);
    }

    private static List<String> labels(FlowWatch watch, String family, String srcIp, String srcPort, String dstIp,
                                       String dstPort) {
        List<String> labels = new ArrayList<>(watch.labels().size() + 10);
        labels.addAll(watch.labels());
        labels.addAll(List.of("ipfamily", family, "srcip", srcIp, "srcport", srcPort, "dstip", dstIp, "dstport", dstPort));
        return labels;
    }

    private static String port(int port) {
        return port == 0 ? "" : Integer.toString(port);
    }

    private static void emit(SeriesKey key, Sum sum, MetricSink out) {
        String[] labels = key.labels().toArray(String[]::new);
        String metric = key.metric();
        if (metric.equals("podnet_flow_tcp_srtt_seconds")) {
            out.gauge(metric, "Smoothed RTT of the flow's TCP connection (the mean over the connections folded into it).",
                    sum.value / sum.count, labels);
        } else if (metric.endsWith("_retransmits_total")) {
            out.counter(metric, "TCP segments the flow's connection retransmitted.", sum.value, labels);
        } else if (metric.endsWith("_drops_total")) {
            out.counter(metric, "Packets of the flow's TCP connection the kernel dropped.", sum.value, labels);
        } else {
            out.counter(metric, (metric.endsWith("_bytes_total") ? "Bytes" : "Packets")
                    + " of the flow, in the direction the pod sees them (frames as its device counts them).", sum.value, labels);
        }
    }

    synchronized long dropped() {
        return dropped;
    }

    synchronized int lastSeries() {
        return lastSeries;
    }
}
