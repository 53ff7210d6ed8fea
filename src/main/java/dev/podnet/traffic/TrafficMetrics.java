package dev.podnet.traffic;

import dev.podnet.probe.HistogramData;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.bpf.Log2Histogram;

/**
 * Writes one namespace's traffic counters (the words of {@link TrafficLayout}, summed over CPUs). Label
 * combinations that never saw a packet are left out, so a pod exports only the families and protocols
 * it really uses; the packet-analysis counters are always there, as zero until something happens.
 */
final class TrafficMetrics {
    static final String[] DIRECTION = {"receive", "transmit"};
    static final String[] FAMILY = {"ipv4", "ipv6", "other"};
    static final String[] PROTOCOL = {"tcp", "udp", "icmp", "other"};

    private TrafficMetrics() {
    }

    static void writeCounters(long[] w, MetricSink out) {
        for (int d = 0; d < TrafficLayout.DIRECTIONS; d++) {
            for (int f = 0; f < TrafficLayout.FAMILIES; f++) {
                for (int p = 0; p < TrafficLayout.PROTOCOLS; p++) {
                    long packets = w[TrafficLayout.packets(d, f, p)];
                    if (packets == 0) {
                        continue;
                    }
                    String[] labels = {"direction", DIRECTION[d], "ipfamily", FAMILY[f], "protocol", PROTOCOL[p]};
                    out.counter("podnet_traffic_bytes_total",
                            "Bytes through the pod's own devices (link-layer frames, as net/dev counts them), by direction, IP family and protocol.",
                            w[TrafficLayout.bytes(d, f, p)], labels);
                    out.counter("podnet_traffic_packets_total",
                            "Packets (skbs, as the device counts them: a GSO/GRO packet is one) through the pod's own devices.",
                            packets, labels);
                }
            }
            for (int f = 0; f < 2; f++) {
                long packets = w[TrafficLayout.internetPackets(d, f)];
                if (packets == 0) {
                    continue;
                }
                String[] labels = {"direction", DIRECTION[d], "ipfamily", FAMILY[f]};
                out.counter("podnet_traffic_internet_bytes_total",
                        "Bytes of the pod's traffic whose remote address lies outside internalNetworks.",
                        w[TrafficLayout.internetBytes(d, f)], labels);
                out.counter("podnet_traffic_internet_packets_total",
                        "Packets of the pod's traffic whose remote address lies outside internalNetworks.", packets, labels);
            }
            writePacketAnalysis(w, d, out);
        }
    }

    private static void writePacketAnalysis(long[] w, int d, MetricSink out) {
        String dir = DIRECTION[d];
        out.counter("podnet_packet_tcp_rst_total", "TCP segments with RST set, on the pod's devices.",
                w[TrafficLayout.tcpRst(d)], "direction", dir);
        out.counter("podnet_packet_tcp_zero_window_total",
                "TCP segments advertising a zero receive window (SYN and RST segments excluded), on the pod's devices.",
                w[TrafficLayout.tcpZeroWindow(d)], "direction", dir);
        out.counter("podnet_packet_ipv4_df_total", "IPv4 packets with Don't Fragment set, on the pod's devices.",
                w[TrafficLayout.ipv4Df(d)], "direction", dir);
        for (int s = 0; s < TrafficLayout.WINDOW_SCALE_SLOTS; s++) {
            long n = w[TrafficLayout.windowScale(d, s)];
            if (n != 0) {
                out.counter("podnet_packet_tcp_window_scale_total",
                        "SYN and SYN-ACK segments by the window-scale shift they carry (none: without the option).",
                        n, "direction", dir, "shift", s == TrafficLayout.WINDOW_SCALE_NONE ? "none" : Integer.toString(s));
            }
        }
    }

    static void writeHistograms(long[] w, MetricSink out) {
        for (int d = 0; d < TrafficLayout.DIRECTIONS; d++) {
            out.histogram("podnet_packet_size_bytes", "IP packet length (headers and payload; a GSO packet is one observation).",
                    sizeHistogram(w, TrafficLayout.packetSize(d)), "direction", DIRECTION[d]);
            out.histogram("podnet_packet_tcp_payload_bytes", "TCP payload length of each segment (0 for a pure ACK).",
                    sizeHistogram(w, TrafficLayout.tcpPayload(d)), "direction", DIRECTION[d]);
        }
        long[] rtt = new long[TrafficLayout.RTT_SLOTS];
        System.arraycopy(w, TrafficLayout.rtt(), rtt, 0, rtt.length);
        out.histogram("podnet_tcp_rtt_seconds",
                "Smoothed RTT of the pod's TCP connection, observed at each segment with data or FIN that the pod sends.",
                Log2Histogram.toHistogram(rtt, w[TrafficLayout.rtt() + rtt.length], 1e-6));
    }

    /** Slot 0 holds 0, slot i holds (2^(i-2), 2^(i-1)], the last slot is +Inf: exact upper bounds. */
    static HistogramData sizeHistogram(long[] w, int first) {
        long[] counts = new long[TrafficLayout.SIZE_SLOTS];
        System.arraycopy(w, first, counts, 0, counts.length);
        double[] bounds = new double[counts.length - 1];
        for (int i = 1; i < bounds.length; i++) {
            bounds[i] = Math.scalb(1.0, i - 1);
        }
        return new HistogramData(bounds, counts, w[first + counts.length]);
    }
}
