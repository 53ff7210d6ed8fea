package dev.podnet.policy;

import dev.podnet.probe.Sample;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the probes counted for one pod's network namespace in this collection, summed the way task
 * series need it: traffic by (direction, family, protocol), internet traffic by (direction, family),
 * and the TCP event counters. Nothing is counted again: these are the probes' own series, regrouped.
 */
final class PodCounters {
    /** The probe series tasks are made of. */
    static final Set<String> SOURCES = Set.of("podnet_traffic_bytes_total", "podnet_traffic_packets_total",
            "podnet_traffic_internet_bytes_total", "podnet_traffic_internet_packets_total", "podnet_tcp_retransmits_total",
            "podnet_tcp_connections_opened_total", "podnet_tcp_connect_failures_total", "podnet_packet_drops_total");

    private final Map<String, Double> sums = new HashMap<>();
    private final Set<String> families = new TreeSet<>();

    void add(Sample sample) {
        String name = sample.name();
        switch (name) {
            case "podnet_traffic_bytes_total", "podnet_traffic_packets_total" -> {
                String family = label(sample, "ipfamily");
                if (family.equals("ipv4") || family.equals("ipv6")) {
                    families.add(family);
                    String unit = name.contains("bytes") ? "bytes" : "packets";
                    String direction = label(sample, "direction");
                    sum(unit + "|" + direction + "|" + family + "|" + label(sample, "protocol"), sample.value());
                    sum(unit + "|" + direction + "|" + family + "|ip", sample.value());
                }
            }
            case "podnet_traffic_internet_bytes_total", "podnet_traffic_internet_packets_total" ->
                    sum("internet|" + (name.contains("bytes") ? "bytes" : "packets") + "|" + label(sample, "direction") + "|"
                            + label(sample, "ipfamily"), sample.value());
            case "podnet_packet_drops_total" -> {
                if (label(sample, "reason").startsWith("TCP_")) {
                    sum(name, sample.value());
                }
            }
            default -> sum(name, sample.value());
        }
    }

    /** bytes or packets, receive or transmit, ipv4 or ipv6, tcp / udp / ip (all protocols). */
    double traffic(String unit, String direction, String family, String protocol) {
        return sums.getOrDefault(unit + "|" + direction + "|" + family + "|" + protocol, 0.0);
    }

    double internet(String unit, String direction, String family) {
        return sums.getOrDefault("internet|" + unit + "|" + direction + "|" + family, 0.0);
    }

    double counter(String name) {
        return sums.getOrDefault(name, 0.0);
    }

    /** The IP families the pod's devices carried; IPv4 when they carried none yet. */
    Set<String> families() {
        return families.isEmpty() ? Set.of("ipv4") : families;
    }

    private void sum(String key, double value) {
        sums.merge(key, value, Double::sum);
    }

    private static String label(Sample sample, String name) {
        String[] labels = sample.labels();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (labels[i].equals(name)) {
                return labels[i + 1];
            }
        }
        return "";
    }
}
